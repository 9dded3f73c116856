package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.master.testing.LeaderFollowingClient;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.GetRaftStatusRequest;
import io.gfs.proto.MkdirRequest;
import io.gfs.proto.RaftPeerStatus;
import io.gfs.proto.StatsResult;
import io.gfs.proto.TransferLeadershipRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuilding a master replica from an empty raft directory (a replaced disk) after the leader
 * purged the log it would need: the replica is sent the leader's checkpoint, loads it (the state
 * machine pauses as Ratis requires) and goes on as a full member. The leadership moves to the
 * third master first: the old leader still believes the replica holds what it acknowledged
 * before (Raft assumes a member never loses its log) and would keep resending from there.
 */
class ResyncFromCheckpointTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** Creates before giving up on the first segment being purged (2 MB at ~1 KB per entry). */
  private static final int CREATES_MAX = 12_000;

  @TempDir
  Path dir;

  @Test
  void aReplicaRebuiltFromNothingLoadsTheLeadersCheckpointAndServes() throws Exception {
    TestRequests requests = new TestRequests(UUID.randomUUID());
    try (MasterTestCluster cluster = MasterTestCluster.start(dir,
        c -> c.withCheckpointThreshold(200))) {
      String leader = cluster.awaitLeader(WAIT);
      LeaderFollowingClient client = cluster.client();
      // ~1 KB per create entry, so the 2 MB log segments roll after a couple of thousand
      String parent = "/" + "a".repeat(250) + "/" + "b".repeat(250) + "/" + "c".repeat(250);
      client.call(s -> s.mkdir(MkdirRequest.newBuilder().setRequestId(requests.nextId())
          .setPath(parent).setParents(true).build()));
      int created = 0;
      String third = cluster.followers(leader).get(1);
      while ((hasFirstSegment(cluster, leader) || hasFirstSegment(cluster, third))
          && created < CREATES_MAX) {
        String path = parent + "/" + created + "-" + "d".repeat(200);
        client.call(s -> s.createFile(requests.createFile(path)));
        created++;
      }
      assertThat(hasFirstSegment(cluster, third)).as("the first segment purged").isFalse();

      String rebuilt = cluster.followers(leader).get(0);
      cluster.stopMaster(rebuilt);
      deleteRecursively(cluster.config(rebuilt).dataDir().resolve("raft"));
      cluster.startMaster(rebuilt);
      cluster.adminStub(leader).transferLeadership(TransferLeadershipRequest.newBuilder()
          .setTargetId(third).setTimeoutMs(10_000).build());
      cluster.awaitNewLeader(leader, WAIT);
      String newLeader = cluster.awaitLeader(WAIT);
      int[] more = {0};
      Awaitility.await(rebuilt + " caught up from the checkpoint").atMost(WAIT)
          .pollInterval(Duration.ofMillis(200)).until(() -> {
            long committedBefore = status(cluster, newLeader).getCommitIndex();
            String path = parent + "/after-" + more[0];
            client.call(s -> s.createFile(requests.createFile(path)));
            more[0]++;
            return appliedOrMinusOne(cluster, rebuilt) >= committedBefore;
          });
      int total = created + more[0];

      StatsResult expected = cluster.master(newLeader).stateMachine().state().stats();
      assertThat(expected.getFileCount()).isEqualTo(total);
      Awaitility.await("the same files").atMost(WAIT).untilAsserted(() -> assertThat(
          cluster.master(rebuilt).stateMachine().state().stats()).isEqualTo(expected));

      // A full member: with the leader gone, a create needs it for its majority.
      cluster.stopMaster(newLeader);
      cluster.awaitNewLeader(newLeader, WAIT);
      client.call(s -> s.createFile(requests.createFile(parent + "/last")));
      Awaitility.await("the last create applied on " + rebuilt).atMost(WAIT).until(() ->
          cluster.master(rebuilt).stateMachine().state().stats().getFileCount() == total + 1L);
    }
  }

  private static RaftPeerStatus status(MasterTestCluster cluster, String id) {
    return cluster.adminStub(id).getRaftStatus(GetRaftStatusRequest.getDefaultInstance())
        .getSelf();
  }

  private static long appliedOrMinusOne(MasterTestCluster cluster, String id) {
    try {
      return status(cluster, id).getAppliedIndex();
    } catch (RuntimeException e) {
      return -1; // not serving (yet)
    }
  }

  /** Whether the master's Raft log still has the segment that starts at index 0. */
  private static boolean hasFirstSegment(MasterTestCluster cluster, String id) {
    try (Stream<Path> files = Files.walk(cluster.config(id).dataDir().resolve("raft"))) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith("log_0-")
          || f.getFileName().toString().equals("log_inprogress_0"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
