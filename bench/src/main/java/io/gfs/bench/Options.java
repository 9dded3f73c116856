package io.gfs.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What to run and how big. The full sizes are BENCHMARKS.md's; --quick shrinks every count for a
 * smoke run (one repetition), so its figures are not comparable with the peers'.
 */
record Options(boolean quick, int reps, int fileMib, int sustainedMib, int metaFiles, int appends,
    int kills, int warmFileMib, int warmMetaFiles, int warmAppends, Path distribution,
    Path workDir, Path jsonOut, int basePort, String serverJavaOpts, List<String> masterArgs,
    String only, boolean keep, Path latencyDir) {

  static Options parse(String[] args) {
    boolean quick = false;
    Path dist = null;
    Path work = Path.of("/tmp/gfs-bench");
    Path json = Path.of("bench/target/bench-results.json");
    int basePort = 29000;
    int reps = -1;
    String javaOpts = "";
    List<String> masterArgs = List.of();
    int kills = -1;
    String only = "";
    boolean keep = false;
    Path latencies = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--dist" -> dist = Path.of(args[++i]);
        case "--work-dir" -> work = Path.of(args[++i]);
        case "--json" -> json = Path.of(args[++i]);
        case "--base-port" -> basePort = Integer.parseInt(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--server-java-opts" -> javaOpts = args[++i];
        case "--master-args" -> masterArgs = List.of(args[++i].trim().split("\\s+"));
        case "--kills" -> kills = positive("--kills", args[++i]);
        case "--only" -> only = args[++i];
        case "--keep" -> keep = true;
        case "--latencies" -> latencies = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (use --dist DIR [--quick] [--reps N] [--work-dir D] [--json F] [--base-port P]"
            + " [--server-java-opts OPTS] [--master-args ARGS] [--kills N]"
            + " [--only W1,W3,...] [--keep] [--latencies DIR])");
      }
    }
    if (dist == null) {
      throw new IllegalArgumentException("--dist DIR (the unpacked distribution) is required");
    }
    if (quick) {
      return new Options(true, reps > 0 ? reps : 1, 256, 0, 1000, 500, kills > 0 ? kills : 2, 64,
          500, 200, dist, work, json, basePort, javaOpts, masterArgs, only, keep, latencies);
    }
    return new Options(false, reps > 0 ? reps : 3, 1024, 4096, 10_000, 10_000,
        kills > 0 ? kills : 5, 256, 2000, 1000, dist, work, json, basePort, javaOpts, masterArgs,
        only, keep, latencies);
  }

  private static int positive(String option, String value) {
    int n = Integer.parseInt(value);
    if (n <= 0) {
      throw new IllegalArgumentException(option + " must be positive, got " + value);
    }
    return n;
  }

  /** Whether workload {@code id} (e.g. "W3") is selected (all are, without --only). */
  boolean runs(String id) {
    if (only.isEmpty()) {
      return true;
    }
    for (String w : only.split(",")) {
      if (w.trim().equalsIgnoreCase(id)) {
        return true;
      }
    }
    return false;
  }
}
