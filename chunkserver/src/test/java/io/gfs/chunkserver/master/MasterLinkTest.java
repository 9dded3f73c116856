package io.gfs.chunkserver.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.testing.FakeMaster;
import io.gfs.chunkserver.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterLinkTest {
  @TempDir Path dir;

  @Test
  void aFollowersRedirectLeadsToTheLeader() throws Exception {
    String handle = UUID.randomUUID().toString();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
        .newFixedThreadPool(2, r -> new Thread(r, "test-master-link"));
    try (FakeMaster leader = new FakeMaster(60_000, 1 << 20);
        FakeMaster follower = new FakeMaster(60_000, 1 << 20);
        FakeMaster other = new FakeMaster(60_000, 1 << 20)) {
      follower.followerOf = leader.address();
      other.followerOf = leader.address();
      leader.assign(handle, 3, "cs9", List.of());
      // the leader is not in the configured order before the followers
      MasterLink link = new MasterLink("cs9", List.of(follower.address(), other.address(),
          leader.address()), pool, Duration.ofSeconds(5));
      try {
        assertThat(link.claimPrimary(handle).get(30, TimeUnit.SECONDS).getVersion())
            .isEqualTo(3);
        assertThat(link.leader()).isEqualTo(leader.address());
      } finally {
        link.close();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void leaderOnlyCallsFollowTheFollowersRedirectAndHeartbeatsReachEveryMaster() throws Exception {
    String handle = UUID.randomUUID().toString();
    FakeMaster leader = new FakeMaster(60_000, 1 << 20);
    try (FakeMaster follower = new FakeMaster(60_000, 1 << 20);
        TestCluster cluster = new TestCluster(dir, 1, 1 << 20, leader,
            List.of(follower.address()))) {
      follower.followerOf = leader.address();
      leader.assign(handle, 1, "cs1", cluster.locations(0));
      // the first leader-only call may go to the follower: it is redirected
      assertThat(cluster.write(0, handle, 1, -1, new byte[10]).get(60, TimeUnit.SECONDS)
          .offset()).isZero();
      await().atMost(Duration.ofSeconds(30)).until(() -> leader.heartbeats.containsKey("cs1")
          && follower.heartbeats.containsKey("cs1"));
      await().atMost(Duration.ofSeconds(30)).until(() -> leader.commits.stream()
          .anyMatch(c -> c.getHandle().equals(handle) && c.getCommittedLength() == 10));
    }
  }
}
