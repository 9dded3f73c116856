package io.gfs.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One fault scenario: a cluster, a workload over it, the fault times, and at the end healing,
 * quiescing, the checker and the summary line. {@link #close} kills everything.
 */
final class ScenarioRun implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ScenarioRun.class);
  private static final Duration QUIESCE_MAX = Duration.ofSeconds(90);

  private final String name;
  private final long seed;
  private final ProcessCluster cluster;
  private final WorkloadSpec workloadSpec;
  private final Workload workload;
  private final long startTerm;
  private final List<Long> faultNanos = new ArrayList<>();
  private Unavailability.Probe probe = Unavailability.Probe.MASTER;

  private ScenarioRun(String name, long seed, ProcessCluster cluster, WorkloadSpec workloadSpec) {
    this.name = name;
    this.seed = seed;
    this.cluster = cluster;
    this.workloadSpec = workloadSpec;
    this.workload = new Workload(workloadSpec,
        () -> cluster.client(workloadSpec.operationTimeout(), workloadSpec.attemptTimeout()), seed);
    this.startTerm = cluster.maxTerm();
  }

  static ScenarioRun start(String name, long seed, ClusterSpec clusterSpec,
      WorkloadSpec workloadSpec) {
    ProcessCluster cluster = ProcessCluster.start(clusterSpec, ProcessCluster.runDir(name, seed));
    try {
      ScenarioRun run = new ScenarioRun(name, seed, cluster, workloadSpec);
      try (var gfs = cluster.client(Duration.ofSeconds(30), Duration.ofSeconds(3))) {
        for (int c = 1; c <= workloadSpec.clients(); c++) {
          gfs.mkdir(WorkloadSpec.META_DIR + "/c" + c, true);
        }
      }
      run.workload.start();
      return run;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  ProcessCluster cluster() {
    return cluster;
  }

  Workload workload() {
    return workload;
  }

  /** Notes that a fault of the probe's component starts now (for the unavailability figures). */
  long markFault(Unavailability.Probe of) {
    probe = of;
    long now = System.nanoTime();
    faultNanos.add(now);
    return now;
  }

  /** Waits until {@code more} further appends were acknowledged. */
  void awaitAppends(int more, Duration timeout) {
    int target = workload.okAppends() + more;
    Deadlines.await(more + " more acknowledged appends", timeout,
        () -> workload.okAppends() >= target ? Optional.of(true) : Optional.empty(),
        () -> "acknowledged=" + workload.okAppends());
  }

  /** Waits until an operation of the probe's kind invoked after {@code since} succeeded. */
  double awaitRecovery(long since, Unavailability.Probe of, Duration timeout) {
    return Deadlines.await("an operation to succeed after the fault", timeout,
        () -> Unavailability.recoverySeconds(workload.history().ops(), since, of),
        () -> "leader=" + cluster.leader());
  }

  /**
   * Stops the workload, restarts or resumes every node, heals the network, waits for the cluster
   * to settle, checks, prints the summary line and returns the report.
   */
  CheckReport finish() {
    workload.stopAndJoin();
    cluster.network().healAll();
    for (String id : cluster.masterIds()) {
      heal(cluster.master(id));
    }
    for (String id : cluster.chunkserverIds()) {
      heal(cluster.chunkserver(id));
    }
    cluster.awaitLeader(Duration.ofSeconds(90));
    cluster.awaitChunkservers(cluster.chunkserverIds().size(), Duration.ofSeconds(90));
    List<Op> ops = workload.history().ops();
    FinalStateCollector collector = new FinalStateCollector(cluster, workloadSpec);
    long end = System.nanoTime() + QUIESCE_MAX.toNanos();
    CheckReport report;
    int rounds = 0;
    int chunkCount = 0;
    while (true) {
      rounds++;
      FinalState state = collector.collect();
      chunkCount = state.chunks().size();
      report = Checker.check(ops, state);
      boolean settling = report.replicaMismatches() > 0 || report.lost() > 0;
      if (!settling || System.nanoTime() - end > 0) {
        break;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
    }
    double maxUnavailable = Unavailability.maxGapSeconds(ops, faultNanos, probe);
    long elections = cluster.maxTerm() - startTerm;
    String summary = report.summary(name, seed, maxUnavailable, elections);
    System.out.println(summary + " quiesce_rounds=" + rounds + " ops=" + ops.size()
        + " unknown=" + count(ops, Op.Outcome.UNKNOWN) + " failed=" + count(ops, Op.Outcome.FAIL)
        + " chunks=" + chunkCount);
    LOG.info("fault summary {}", summary);
    report.violations().forEach(v -> LOG.error("fault violation scenario={} {}", name, v));
    return report;
  }

  /** Asserts the promises every scenario must keep. */
  static void assertKept(CheckReport report) {
    assertThat(report.violations()).as("violations").isEmpty();
    assertThat(report.lost()).isZero();
    assertThat(report.phantom()).isZero();
    assertThat(report.acked()).as("acknowledged appends").isPositive();
  }

  private static long count(List<Op> ops, Op.Outcome outcome) {
    return ops.stream().filter(o -> o.outcome() == outcome).count();
  }

  private static void heal(NodeProcess node) {
    if (node.isPaused()) {
      node.resume();
    } else if (!node.isAlive()) {
      node.start();
    }
  }

  @Override
  public void close() {
    try {
      workload.close();
    } finally {
      cluster.close();
    }
  }
}
