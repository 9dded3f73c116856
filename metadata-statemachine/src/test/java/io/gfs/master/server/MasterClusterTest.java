package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.master.service.StatusMapping;
import io.gfs.master.testing.LeaderFollowingClient;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.GetRaftStatusRequest;
import io.gfs.proto.GetRaftStatusResponse;
import io.gfs.proto.ListFilesRequest;
import io.gfs.proto.ListFilesResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real masters on loopback: redirection, failover, recovery, follower reads. */
class MasterClusterTest {

  private static final Duration LEADER_WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void mutationsSurviveLeaderKillAndFullRestartFromCheckpointPlusLog() {
    TestRequests requests = new TestRequests(UUID.randomUUID());
    List<String> acknowledged = new ArrayList<>();
    // no checkpoint at the stops: the restart below must replay a log tail
    try (MasterTestCluster cluster = MasterTestCluster.start(dir,
        c -> c.withCheckpointThreshold(16).withCheckpointOnStop(false))) {
      String leader = cluster.awaitLeader(LEADER_WAIT);
      LeaderFollowingClient client = cluster.client();

      // Created through every master: followers redirect through the gfs-leader trailer.
      for (int i = 0; i < 30; i++) {
        String path = "/dir" + (i % 3) + "/file" + i;
        String via = cluster.ids().get(i % 3);
        client.call(via, s -> s.createFile(requests.createFile(path)));
        acknowledged.add(path);
      }
      for (String path : acknowledged) {
        assertThat(cluster.masterStub(leader).getFile(TestRequests.getFile(path)).getFile()
            .getPath()).isEqualTo(path);
      }

      // A follower never answers a read: UNAVAILABLE with the leader's address.
      String follower = cluster.followers(leader).get(0);
      assertThatThrownBy(() -> cluster.masterStub(follower)
          .withDeadlineAfter(10, TimeUnit.SECONDS).getFile(TestRequests.getFile("/dir0/file0")))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getTrailers().get(StatusMapping.LEADER_KEY))
                .isEqualTo(cluster.config(leader).self().apiAddress());
            assertThat(e.getTrailers().get(StatusMapping.LEADER_ID_KEY)).isEqualTo(leader);
          });

      // Kill the leader: a new one serves and has every acknowledged mutation.
      cluster.stopMaster(leader);
      String newLeader = cluster.awaitNewLeader(leader, LEADER_WAIT);
      assertThat(listAll(cluster, client)).containsAll(acknowledged);
      for (int i = 30; i < 40; i++) {
        String path = "/after-kill/file" + i;
        client.call(s -> s.createFile(requests.createFile(path)));
        acknowledged.add(path);
      }
      cluster.startMaster(leader);

      // Checkpoints were taken (threshold 16), so a restart uses checkpoint + log tail.
      Awaitility.await().atMost(LEADER_WAIT).until(() ->
          status(cluster, newLeader).getSelf().getSnapshotIndex() > 0);
      String last = "/tail/file-after-checkpoint";
      client.call(s -> s.createFile(requests.createFile(last)));
      acknowledged.add(last);

      // Every master must have entries after its newest checkpoint, so the restart replays a
      // log tail. A write can land exactly on a checkpoint; then one more write fixes that.
      for (int extra = 0; extra < 3 && !allHaveLogTail(cluster, newLeader); extra++) {
        String path = "/tail/extra" + extra;
        client.call(s -> s.createFile(requests.createFile(path)));
        acknowledged.add(path);
      }
      assertThat(allHaveLogTail(cluster, newLeader)).as("log tail after checkpoints").isTrue();
      for (String id : cluster.ids()) {
        cluster.stopMaster(id);
      }
      for (String id : cluster.ids()) {
        cluster.startMaster(id);
      }
      String restartedLeader = cluster.awaitLeader(LEADER_WAIT);
      assertThat(status(cluster, restartedLeader).getSelf().getSnapshotIndex()).isPositive();
      assertThat(listAll(cluster, client)).containsExactlyInAnyOrderElementsOf(acknowledged);
    }
  }

  @Test
  void aCleanStopWritesACheckpointTheRestartStartsFrom() {
    TestRequests requests = new TestRequests(UUID.randomUUID());
    List<String> acknowledged = new ArrayList<>();
    // no automatic checkpoint in this test: only the stops write one
    try (MasterTestCluster cluster = MasterTestCluster.start(dir,
        c -> c.withCheckpointThreshold(1_000_000))) {
      String leader = cluster.awaitLeader(LEADER_WAIT);
      LeaderFollowingClient client = cluster.client();
      for (int i = 0; i < 25; i++) {
        String path = "/stop/file" + i;
        client.call(s -> s.createFile(requests.createFile(path)));
        acknowledged.add(path);
      }
      long commit = status(cluster, leader).getSelf().getCommitIndex();
      Awaitility.await().atMost(LEADER_WAIT).until(() -> cluster.ids().stream().allMatch(id ->
          status(cluster, id).getSelf().getAppliedIndex() >= commit));
      assertThat(cluster.ids()).allSatisfy(id ->
          assertThat(status(cluster, id).getSelf().getSnapshotIndex()).as(id).isLessThan(commit));

      for (String id : cluster.ids()) {
        cluster.stopMaster(id);
      }
      for (String id : cluster.ids()) {
        cluster.startMaster(id);
      }
      cluster.awaitLeader(LEADER_WAIT);
      // every master loaded a checkpoint holding every command it had applied before the stop
      assertThat(cluster.ids()).allSatisfy(id ->
          assertThat(status(cluster, id).getSelf().getSnapshotIndex()).as(id)
              .isGreaterThanOrEqualTo(commit));
      assertThat(listAll(cluster, client)).containsExactlyInAnyOrderElementsOf(acknowledged);
    }
  }

  private static boolean allHaveLogTail(MasterTestCluster cluster, String leader) {
    long commit = status(cluster, leader).getSelf().getCommitIndex();
    Awaitility.await().atMost(LEADER_WAIT).until(() -> cluster.ids().stream().allMatch(id ->
        status(cluster, id).getSelf().getAppliedIndex() >= commit));
    return cluster.ids().stream().map(id -> status(cluster, id).getSelf()).allMatch(s ->
        s.getSnapshotIndex() > 0 && s.getSnapshotIndex() < s.getLastLogIndex());
  }

  private static GetRaftStatusResponse status(MasterTestCluster cluster, String id) {
    return cluster.adminStub(id).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getRaftStatus(GetRaftStatusRequest.getDefaultInstance());
  }

  /** Every file path, read from the leader. */
  static List<String> listAll(MasterTestCluster cluster, LeaderFollowingClient client) {
    List<String> files = new ArrayList<>();
    String token = "";
    for (int page = 0; page < 100; page++) {
      String t = token;
      ListFilesResponse r = client.call(s -> s.listFiles(ListFilesRequest.newBuilder()
          .setPath("/").setRecursive(true).setPageSize(1000).setPageToken(t).build()));
      r.getEntriesList().stream()
          .filter(e -> e.getType() == io.gfs.proto.EntryType.FILE)
          .forEach(e -> files.add(e.getPath()));
      token = r.getNextPageToken();
      if (token.isEmpty()) {
        break;
      }
    }
    return files;
  }
}
