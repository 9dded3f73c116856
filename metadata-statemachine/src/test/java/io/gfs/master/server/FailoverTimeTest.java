package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.master.testing.LeaderFollowingClient;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.GetRaftStatusRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures leader failover: stop the leader's Raft server and API, then time until a write
 * succeeds on the new leader. Prints the figures; asserts nothing about timing (shared,
 * noisy machine), only that every acknowledged write survives.
 */
class FailoverTimeTest {

  private static final int KILLS = 5;

  @TempDir
  Path dir;

  @Test
  void measureLeaderFailover() {
    TestRequests requests = new TestRequests(UUID.randomUUID());
    List<Long> millis = new ArrayList<>();
    List<String> acknowledged = new ArrayList<>();
    try (MasterTestCluster cluster = MasterTestCluster.start(dir, c -> c)) {
      LeaderFollowingClient client = new LeaderFollowingClient(cluster, Duration.ofSeconds(5),
          Duration.ofSeconds(60));
      for (int kill = 0; kill < KILLS; kill++) {
        String leader = cluster.awaitLeader(Duration.ofSeconds(60));
        String warmup = "/failover/warm" + kill;
        client.call(s -> s.createFile(requests.createFile(warmup)));
        acknowledged.add(warmup);

        long start = System.nanoTime();
        cluster.stopMaster(leader);
        String path = "/failover/after-kill" + kill;
        client.call(cluster.followers(leader).get(0),
            s -> s.createFile(requests.createFile(path)));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        millis.add(elapsedMs);
        acknowledged.add(path);

        cluster.startMaster(leader);
        String current = cluster.awaitLeader(Duration.ofSeconds(60));
        Awaitility.await("restarted master caught up").atMost(Duration.ofSeconds(60))
            .until(() -> applied(cluster, leader) >= applied(cluster, current));
      }
      assertThat(MasterClusterTest.listAll(cluster, cluster.client()))
          .containsExactlyInAnyOrderElementsOf(acknowledged);
    }
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.printf("FAILOVER leader stop -> first successful write: median=%d ms "
        + "min=%d ms max=%d ms samples=%s%n", sorted.get(sorted.size() / 2), sorted.get(0),
        sorted.get(sorted.size() - 1), millis);
  }

  private static long applied(MasterTestCluster cluster, String id) {
    return cluster.adminStub(id).getRaftStatus(GetRaftStatusRequest.getDefaultInstance())
        .getSelf().getAppliedIndex();
  }
}
