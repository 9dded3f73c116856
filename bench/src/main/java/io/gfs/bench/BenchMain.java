package io.gfs.bench;

import io.gfs.client.GfsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The benchmark harness: W0 on the data disk, then a real 3 + 3 process cluster on 127.0.0.1
 * running W1-W8 as BENCHMARKS.md defines them; prints one markdown table and writes the raw
 * runs as JSON. Run it with scripts/bench.sh.
 */
public final class BenchMain {
  private static final Duration READY_LIMIT = Duration.ofMinutes(3);
  /** W7 restarts masters holding about this many files (BENCHMARKS.md). */
  private static final int W7_FILES = 60_000;

  private BenchMain() {
  }

  /** A phase of the run; a failing phase is noted in the report and the rest still runs. */
  private interface Phase {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Results results = new Results(options.latencyDir());
    String machine = Machine.describe();
    System.out.println("bench: machine: " + machine);
    if (!options.masterArgs().isEmpty()) {
      results.note("masters started with " + String.join(" ", options.masterArgs()));
    }
    Path work = options.workDir().resolve("run-" + System.currentTimeMillis());
    Files.createDirectories(work);
    int fileChunks = Math.max(1, options.fileMib() / 64);

    if (options.runs("W0")) {
      for (int r = 0; r < options.reps(); r++) {
        int rep = r;
        phase(results, "W0", () -> DiskBaseline.run(work.resolve("dd"), rep, results));
      }
    }
    try (Cluster cluster = new Cluster(options.distribution(), work.resolve("cluster"),
        options.basePort(), options.serverJavaOpts(), options.masterArgs())) {
      cluster.startAll();
      String masters = cluster.masterAddresses();
      DataWorkloads data = new DataWorkloads(options, cluster, results, new Random(42));
      MetaWorkloads meta = new MetaWorkloads(options, results, masters);
      FailoverWorkloads failover = new FailoverWorkloads(options, cluster, results);
      try (GfsClient client = Clients.client(masters)) {
        Clients.awaitReady(client, Cluster.CHUNKSERVERS, READY_LIMIT);
        System.out.println("bench: cluster ready, pids " + cluster.pids());
        phase(results, "warm-up", () -> {
          data.warmUp(client);
          meta.warmUp();
        });
        for (int r = 0; r < options.reps(); r++) {
          int rep = r;
          if (options.runs("W1")) {
            phase(results, "W1/W2", () -> data.writeThenRead(client, rep));
            phase(results, "W1-sustained", () -> data.sustained(client, rep));
          }
          if (options.runs("W5")) {
            phase(results, "W5", () -> data.appends(masters, rep));
          }
        }
        for (int r = 0; r < options.reps(); r++) {
          int rep = r;
          if (options.runs("W3")) {
            phase(results, "W3", () -> meta.creates(rep));
          }
        }
        for (int r = 0; r < options.reps(); r++) {
          int rep = r;
          if (options.runs("W4") && options.runs("W3")) {
            String big = options.runs("W1") ? DataWorkloads.seqFile(0) : null;
            phase(results, "W4", () -> meta.lookups(rep, big, fileChunks));
          }
        }
      }
      if (options.runs("W7")) {
        if (!options.quick()) {
          phase(results, "W7-fill", () -> meta.fillTo(W7_FILES, options.runs("W3")
              ? options.reps() : 0));
        }
        for (int r = 0; r < options.reps(); r++) {
          int rep = r;
          phase(results, "W7", () -> failover.restart("W7-log", rep));
        }
        phase(results, "W7-checkpoint", () -> {
          failover.forceCheckpoint();
          for (int r = 0; r < options.reps(); r++) {
            failover.restart("W7-checkpoint", r);
          }
        });
      }
      for (int r = 0; r < options.reps(); r++) {
        int rep = r;
        if (options.runs("W6") && options.runs("W3")) {
          phase(results, "W6", () -> meta.deletes(rep));
        }
      }
      if (options.runs("W8")) {
        phase(results, "W8", failover::killLeader);
      }
      results.peakRssKib.putAll(cluster.peakRssKib());
      results.peakRssKib.put("bench-client", ProcStats.peakRssKib(ProcessHandle.current().pid()));
    }
    String table = Report.markdown(results);
    System.out.println();
    System.out.println("Machine: " + machine + (options.quick() ? " (QUICK smoke run)" : ""));
    System.out.println();
    System.out.println(table);
    Report.writeJson(options.jsonOut(), options, results, machine);
    System.out.println("bench: raw runs in " + options.jsonOut().toAbsolutePath());
    if (options.keep()) {
      System.out.println("bench: data and server logs kept in " + work);
    } else {
      deleteTree(work);
    }
  }

  private static void phase(Results results, String name, Phase phase) {
    try {
      phase.run();
    } catch (Exception e) {
      results.note(name + " failed: " + e);
      e.printStackTrace(System.err);
    }
  }

  /** Deletes {@code root} and everything under it, if it exists (best effort per file). */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
