package io.gfs.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.GfsClient;
import io.gfs.client.GfsUnavailableException;
import io.gfs.it.fault.Unavailability.Probe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Master faults under a workload: crashes of the leader, and a lost majority. */
class MasterFaultTest {
  private static final long SEED = Long.getLong("gfs.fault.seed", 1);

  @Test
  void leaderKilledTwiceLosesNothing() {
    leaderKilled("master-leader-kill-x2", 2);
  }

  @Test
  @Tag("fault-full")
  void leaderKilledFiveTimesLosesNothing() {
    leaderKilled("master-leader-kill-x5", 5);
  }

  private void leaderKilled(String scenario, int kills) {
    try (ScenarioRun run = ScenarioRun.start(scenario, SEED, ClusterSpec.defaults(),
        WorkloadSpec.defaults())) {
      ProcessCluster c = run.cluster();
      run.awaitAppends(50, Duration.ofSeconds(90));
      List<Double> recoveries = new ArrayList<>();
      for (int i = 0; i < kills; i++) {
        String leader = c.awaitLeader(Duration.ofSeconds(60));
        long at = run.markFault(Probe.MASTER);
        c.master(leader).kill();
        c.awaitLeader(Duration.ofSeconds(60));
        recoveries.add(run.awaitRecovery(at, Probe.MASTER, Duration.ofSeconds(90)));
        c.master(leader).start();
        awaitMasters(c, 3);
        run.awaitAppends(30, Duration.ofSeconds(90));
      }
      System.out.println(String.format(Locale.ROOT,
          "scenario=%s unavailability_p50_s=%.2f unavailability_max_s=%.2f per_kill_s=%s",
          scenario, Unavailability.median(recoveries),
          recoveries.stream().mapToDouble(d -> d).max().orElse(0), recoveries));
      ScenarioRun.assertKept(run.finish());
    }
  }

  @Test
  void twoMastersDownGivesUnavailableThenRecovers() {
    try (ScenarioRun run = ScenarioRun.start("two-masters-down", SEED, ClusterSpec.defaults(),
        WorkloadSpec.defaults().withOperationTimeout(Duration.ofSeconds(8)))) {
      ProcessCluster c = run.cluster();
      run.awaitAppends(50, Duration.ofSeconds(90));
      String leader = c.awaitLeader(Duration.ofSeconds(60));
      String follower = c.masterIds().stream().filter(m -> !m.equals(leader)).findFirst()
          .orElseThrow();
      long at = run.markFault(Probe.MASTER);
      c.master(leader).kill();
      c.master(follower).kill();
      Duration deadline = Duration.ofSeconds(6);
      try (GfsClient probe = c.client(deadline, Duration.ofSeconds(1))) {
        long start = System.nanoTime();
        Throwable error = null;
        try {
          probe.createFile("/probe/while-down");
        } catch (RuntimeException e) {
          error = e;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println(String.format(Locale.ROOT,
            "scenario=two-masters-down probe_error=%s probe_seconds=%.1f deadline_s=%d",
            error == null ? "none" : error.getClass().getSimpleName(), seconds,
            deadline.toSeconds()));
        assertThat(error).as("a create with 2 of 3 masters down")
            .isInstanceOf(GfsUnavailableException.class);
        // Bounded by the deadline plus one attempt; the factor only catches a hang.
        assertThat(seconds).isLessThan(deadline.toSeconds() * 3.0);
      }
      c.master(follower).start();
      c.awaitLeader(Duration.ofSeconds(90));
      run.awaitRecovery(at, Probe.MASTER, Duration.ofSeconds(90));
      c.master(leader).start();
      awaitMasters(c, 3);
      run.awaitAppends(30, Duration.ofSeconds(90));
      ScenarioRun.assertKept(run.finish());
    }
  }

  @Test
  @Tag("fault-full")
  void pausedLeaderAnswersNoStaleReadAfterResuming() {
    try (ScenarioRun run = ScenarioRun.start("master-leader-paused", SEED,
        ClusterSpec.defaults(), WorkloadSpec.defaults())) {
      ProcessCluster c = run.cluster();
      run.awaitAppends(50, Duration.ofSeconds(90));
      String old = c.awaitLeader(Duration.ofSeconds(60));
      long at = run.markFault(Probe.MASTER);
      c.master(old).pause();
      String fresh = awaitOtherLeader(c, old);
      createProbeFile(c, "/probe/after-pause");
      run.awaitRecovery(at, Probe.MASTER, Duration.ofSeconds(90));
      DeposedLeaderProbe.Answers answers;
      try (DeposedLeaderProbe probe = new DeposedLeaderProbe(c.masterAddress(old))) {
        c.master(old).resume();
        answers = probe.probe("/probe/after-pause", 20, Duration.ofSeconds(2));
      }
      System.out.println("scenario=master-leader-paused old_leader=" + old + " new_leader="
          + fresh + " deposed_stale=" + answers.stale() + " deposed_fresh=" + answers.fresh()
          + " deposed_refused=" + answers.refused());
      assertThat(answers.stale()).as("stale answers from the deposed leader").isZero();
      run.awaitAppends(30, Duration.ofSeconds(90));
      ScenarioRun.assertKept(run.finish());
    }
  }

  @Test
  @Tag("fault-full")
  void leaderCutOffFromFollowersAnswersNoStaleReadAndHeals() {
    org.junit.jupiter.api.Assumptions.assumeTrue(NamespaceNetwork.available(),
        "needs root and iproute2 for network namespaces");
    try (ScenarioRun run = ScenarioRun.start("master-leader-partitioned", SEED,
        ClusterSpec.defaults().withNamespaces(), WorkloadSpec.defaults())) {
      ProcessCluster c = run.cluster();
      run.awaitAppends(50, Duration.ofSeconds(90));
      String old = c.awaitLeader(Duration.ofSeconds(60));
      long at = run.markFault(Probe.MASTER);
      for (String other : c.masterIds()) {
        if (!other.equals(old)) {
          c.network().cut(c.nodeNumber(old), c.nodeNumber(other));
        }
      }
      String fresh = awaitOtherLeader(c, old);
      createProbeFile(c, "/probe/after-cut");
      run.awaitRecovery(at, Probe.MASTER, Duration.ofSeconds(90));
      DeposedLeaderProbe.Answers answers;
      try (DeposedLeaderProbe probe = new DeposedLeaderProbe(c.masterAddress(old))) {
        answers = probe.probe("/probe/after-cut", 20, Duration.ofSeconds(2));
      }
      System.out.println("scenario=master-leader-partitioned old_leader=" + old + " new_leader="
          + fresh + " deposed_stale=" + answers.stale() + " deposed_fresh=" + answers.fresh()
          + " deposed_refused=" + answers.refused());
      assertThat(answers.stale()).as("stale answers from the cut-off leader").isZero();
      run.awaitAppends(30, Duration.ofSeconds(90));
      c.network().healAll();
      awaitMasters(c, 3);
      run.awaitAppends(30, Duration.ofSeconds(90));
      ScenarioRun.assertKept(run.finish());
    }
  }

  /** A leader other than {@code old}, as the majority sees it. */
  private static String awaitOtherLeader(ProcessCluster c, String old) {
    return Deadlines.await("a leader other than " + old, Duration.ofSeconds(90),
        () -> c.raftStatus().entrySet().stream()
            .filter(e -> !e.getKey().equals(old))
            .filter(e -> e.getValue().getSelf().getRole().equals("LEADER"))
            .map(java.util.Map.Entry::getKey).findFirst(),
        () -> "status=" + c.raftStatus().keySet());
  }

  private static void createProbeFile(ProcessCluster c, String path) {
    try (GfsClient gfs = c.client(Duration.ofSeconds(60), Duration.ofSeconds(2))) {
      gfs.createFile(path);
    }
  }

  static void awaitMasters(ProcessCluster c, int n) {
    Deadlines.await(n + " masters answering", Duration.ofSeconds(90),
        () -> c.raftStatus().size() >= n ? Optional.of(true) : Optional.empty(),
        () -> "answering=" + c.raftStatus().keySet());
  }
}
