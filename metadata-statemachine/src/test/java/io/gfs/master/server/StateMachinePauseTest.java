package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.master.statemachine.GfsStateMachine;
import io.gfs.master.testing.MasterTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.ratis.util.LifeCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state machine's side of installing a checkpoint from the leader, as Ratis drives it: it
 * runs once Ratis started it, pause() leaves it PAUSED (Ratis's updater refuses to reload
 * otherwise: it failed, and closed the replica's Raft server for good, when a benchmark's kill -9
 * left a restarted master behind the new leader's purged log), and reinitialize() runs it again.
 */
class StateMachinePauseTest {

  @TempDir
  Path dir;

  @Test
  void pauseThenReinitializeAsRatisDoesForAnInstalledCheckpoint() throws Exception {
    try (MasterTestCluster cluster = MasterTestCluster.start(dir, c -> c)) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      String follower = cluster.followers(leader).get(0);
      GfsStateMachine sm = cluster.master(follower).stateMachine();
      assertThat(sm.getLifeCycleState()).isEqualTo(LifeCycle.State.RUNNING);

      sm.pause();
      assertThat(sm.getLifeCycleState()).isEqualTo(LifeCycle.State.PAUSED);
      sm.pause(); // idempotent, as a repeated install would call it
      assertThat(sm.getLifeCycleState()).isEqualTo(LifeCycle.State.PAUSED);

      sm.reinitialize();
      assertThat(sm.getLifeCycleState()).isEqualTo(LifeCycle.State.RUNNING);
    }
  }
}
