package io.gfs.bench;

import io.gfs.client.FileStatus;
import io.gfs.client.GfsClient;
import io.gfs.client.GfsException;
import io.gfs.proto.GetRaftStatusResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** W7 (restart of every master) and W8 (kill -9 of the leader under load). */
final class FailoverWorkloads {
  private static final Duration READY_LIMIT = Duration.ofMinutes(3);
  /** Log entries a follower may trail the leader's commit index by and count as current. */
  private static final long CAUGHT_UP_SLACK = 200;

  private final Options options;
  private final Cluster cluster;
  private final Results results;

  FailoverWorkloads(Options options, Cluster cluster, Results results) {
    this.options = options;
    this.cluster = cluster;
    this.results = results;
  }

  /**
   * W7: stops every master (SIGTERM), starts them again and measures, from the start of the
   * processes, when a fresh client first reads (stat) and first writes (create) successfully.
   */
  void restart(String row, int rep) throws Exception {
    for (int i = 0; i < Cluster.MASTERS; i++) {
      cluster.stop(Cluster.masterId(i));
    }
    long t0 = System.nanoTime();
    System.out.println("bench: " + row + " starting masters at " + Instant.now());
    for (int i = 0; i < Cluster.MASTERS; i++) {
      cluster.startMaster(Cluster.masterId(i));
    }
    double read = untilSuccess(t0, c -> c.stat("/bench"));
    // On a 2-core machine three starting JVMs compete for the CPU: how much they burnt until
    // the first read says more than the wall time when the machine is busy.
    results.note(String.format("%s rep %d: the masters used %.1f CPU s until the first read",
        row, rep, cluster.liveMasterCpuSeconds()));
    String probe = "/bench/restart/" + row.replace('/', '-') + "-" + rep;
    double write = untilSuccess(t0, c -> c.createFile(probe));
    results.add(row + "-read", Run.of(read));
    results.add(row + "-write", Run.of(write));
    try (GfsClient c = Clients.client(cluster.masterAddresses())) {
      Clients.awaitReady(c, Cluster.CHUNKSERVERS, READY_LIMIT);
    }
  }

  private interface Probe {
    void run(GfsClient client);
  }

  /** Seconds from {@code t0} until {@code probe} succeeds with a fresh, short-deadline client. */
  private double untilSuccess(long t0, Probe probe) throws InterruptedException {
    long deadline = t0 + READY_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      // A fresh client each time: a channel refused before the server listened backs off for
      // seconds. The attempt deadline is generous: a cold server's first answers are slow.
      try (GfsClient c = GfsClient.builder().masters(cluster.masterAddresses())
          .operationTimeout(Duration.ofMillis(3000)).attemptTimeout(Duration.ofMillis(2000))
          .build()) {
        probe.run(c);
        return (System.nanoTime() - t0) / 1e9;
      } catch (GfsException e) {
        Thread.sleep(10); // poll interval
      }
    }
    throw new IllegalStateException("masters did not serve within " + READY_LIMIT);
  }

  /** Lowers the checkpoint threshold and restarts, so that the next restarts load a checkpoint. */
  void forceCheckpoint() throws Exception {
    cluster.masterExtraArgs(List.of("--checkpoint-threshold", "1000"));
    for (int i = 0; i < Cluster.MASTERS; i++) {
      cluster.stop(Cluster.masterId(i));
      cluster.startMaster(Cluster.masterId(i));
    }
    try (GfsClient c = Clients.client(cluster.masterAddresses())) {
      Clients.awaitReady(c, Cluster.CHUNKSERVERS, READY_LIMIT);
      c.mkdir("/bench/checkpoint", true);
      for (int i = 0; i < 1100; i++) {
        c.createFile(String.format("/bench/checkpoint/f-%04d", i)); // crosses the threshold
      }
      long deadline = System.nanoTime() + READY_LIMIT.toNanos();
      while (System.nanoTime() < deadline) {
        if (c.raftStatus().values().stream()
            .allMatch(s -> s.getSelf().getSnapshotIndex() > 0) && c.raftStatus().size() == 3) {
          return;
        }
        Thread.sleep(200);
      }
      results.note("W7-checkpoint: not every master reported a checkpoint in time");
    }
  }

  /** Waits until all three masters answer and the leader's followers are current. */
  private void awaitAllCaughtUp(GfsClient admin) throws InterruptedException {
    long deadline = System.nanoTime() + READY_LIMIT.toNanos();
    String last = "no status";
    while (System.nanoTime() < deadline) {
      Map<String, GetRaftStatusResponse> all = admin.raftStatus();
      last = describe(all);
      GetRaftStatusResponse leader = all.values().stream()
          .filter(s -> s.getSelf().getRole().equals("LEADER")).findFirst().orElse(null);
      if (all.size() == Cluster.MASTERS && leader != null
          && leader.getFollowersCount() == Cluster.MASTERS - 1
          && leader.getFollowersList().stream().allMatch(f -> f.getLastContactMsAgo() < 1000
              && f.getMatchIndex() + CAUGHT_UP_SLACK >= leader.getSelf().getCommitIndex())) {
        return;
      }
      Thread.sleep(100); // a poll interval; the loop checks the condition
    }
    results.note("W8: the masters had not all caught up before a kill (" + last + ")");
  }

  /** Each master's role and commit index, and the leader's view of its followers. */
  private static String describe(Map<String, GetRaftStatusResponse> all) {
    StringBuilder b = new StringBuilder();
    all.forEach((id, s) -> {
      b.append(id).append(' ').append(s.getSelf().getRole()).append(" commit=")
          .append(s.getSelf().getCommitIndex()).append(" applied=")
          .append(s.getSelf().getAppliedIndex());
      s.getFollowersList().forEach(f -> b.append(" [").append(f.getId()).append(" match=")
          .append(f.getMatchIndex()).append(" contact=").append(f.getLastContactMsAgo())
          .append("ms]"));
      b.append("; ");
    });
    return b.toString();
  }

  /**
   * W8: 8 threads create files steadily; the leader is killed -9 {@code kills} times (restarted
   * after the load resumes). Unavailability per kill is the longest gap with no successful
   * operation from just before the kill until the load has resumed. Afterwards every
   * acknowledged create must exist.
   */
  void killLeader() throws Exception {
    String dir = "/bench/failover";
    FailoverLoad load = new FailoverLoad(cluster.masterAddresses(), dir, 8);
    try (GfsClient admin = Clients.client(cluster.masterAddresses())) {
      admin.mkdir(dir, true);
      load.start();
      for (int k = 0; k < options.kills(); k++) {
        Thread.sleep(3000); // steady load before each kill
        // One fault at a time: a kill while the previous victim is still starting leaves no
        // majority, an outage no failover can shorten, and it measured the JVM start instead.
        awaitAllCaughtUp(admin);
        String leader = Clients.leader(admin, READY_LIMIT);
        long killedAt = System.nanoTime();
        System.out.println("bench: W8 killing leader=" + leader + " at " + Instant.now());
        cluster.kill(leader);
        double gap = load.awaitResumedAndGap(killedAt, READY_LIMIT);
        results.add("W8", Run.of(gap));
        cluster.startMaster(leader);
      }
      Thread.sleep(3000);
      load.stop();
      Set<String> present = new HashSet<>();
      for (FileStatus f : admin.list(dir)) {
        present.add(f.path());
      }
      List<String> lost = new ArrayList<>(load.acknowledged());
      lost.removeAll(present);
      results.extras.put("W8-acknowledged", (double) load.acknowledged().size());
      results.extras.put("W8-lost", (double) lost.size());
      results.extras.put("W8-failed-ops", (double) load.failures());
      if (!lost.isEmpty()) {
        results.note("W8: " + lost.size() + " ACKNOWLEDGED CREATES LOST, e.g. " + lost.get(0));
      }
      Clients.awaitReady(admin, Cluster.CHUNKSERVERS, READY_LIMIT);
    } finally {
      load.stop();
    }
  }
}
