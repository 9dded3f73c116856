package io.gfs.bench;

import io.gfs.client.GfsClient;
import io.gfs.proto.GetChunkLocationsResponse;
import java.util.concurrent.ThreadLocalRandom;

/** W3 (creates), W4 (location lookups) and W6 (deletes): metadata through the Raft log. */
final class MetaWorkloads {
  static final int[] THREADS = {1, 8};

  private final Options options;
  private final Results results;
  private final String masters;

  MetaWorkloads(Options options, Results results, String masters) {
    this.options = options;
    this.results = results;
    this.masters = masters;
  }

  static String dir(int rep, int threads) {
    return String.format("/bench/meta/r%d-t%d", rep, threads);
  }

  /**
   * {@code dir/f-%06d} without {@link String#format}: parsing the format took ~6 % of the bench
   * client's CPU in W3 at 8 threads, time the harness would count as the system's.
   */
  static String file(String dir, int i) {
    String digits = Integer.toString(i);
    StringBuilder name = new StringBuilder(dir.length() + 10).append(dir).append("/f-");
    for (int pad = digits.length(); pad < 6; pad++) {
      name.append('0');
    }
    return name.append(digits).toString();
  }

  void warmUp() throws Exception {
    String dir = "/bench/warm/meta";
    try (GfsClient c = Clients.client(masters)) {
      c.mkdir(dir, true);
    }
    int n = options.warmMetaFiles();
    Parallel.run(masters, 8, n, (c, i) -> c.createFile(file(dir, i)));
    Parallel.run(8, n, () -> new MasterLookup(masters), (c, i) -> c.locate(file(dir, i), 0));
    Parallel.run(masters, 8, n, (c, i) -> c.deleteFile(file(dir, i)));
  }

  /** W3 for one repetition: a fresh directory per thread count. */
  void creates(int rep) throws Exception {
    for (int t : THREADS) {
      String dir = dir(rep, t);
      try (GfsClient c = Clients.client(masters)) {
        c.mkdir(dir, true);
      }
      results.add("W3/" + t, Parallel.run(masters, t, options.metaFiles(),
          (c, i) -> c.createFile(file(dir, i))));
    }
  }

  /** W4 for one repetition: on the empty files of W3, and on the big file of W1. */
  void lookups(int rep, String bigFile, int bigFileChunks) throws Exception {
    for (int t : THREADS) {
      String dir = dir(rep, t);
      results.add("W4-empty/" + t, Parallel.run(t, options.metaFiles(),
          () -> new MasterLookup(masters), (c, i) -> c.locate(file(dir, i), 0)));
    }
    if (bigFile == null) {
      return;
    }
    for (int t : THREADS) {
      results.add("W4-chunk/" + t, Parallel.run(t, options.metaFiles(),
          () -> new MasterLookup(masters), (c, i) -> {
            int index = ThreadLocalRandom.current().nextInt(bigFileChunks);
            GetChunkLocationsResponse r = c.locate(bigFile, index);
            if (r.getChunksCount() != 1 || r.getChunks(0).getReplicasCount() == 0) {
              throw new IllegalStateException("lookup of chunk " + index + " of " + bigFile
                  + " answered " + r.getChunksCount() + " chunks");
            }
          }));
    }
  }

  /**
   * Tops the namespace up to {@code total} files for W7 (not timed): with fewer repetitions
   * than three, W3 alone leaves fewer than BENCHMARKS.md's ~60,000.
   */
  void fillTo(int total, int reps) throws Exception {
    int missing = total - reps * THREADS.length * options.metaFiles();
    if (missing <= 0) {
      return;
    }
    String dir = "/bench/fill";
    try (GfsClient c = Clients.client(masters)) {
      c.mkdir(dir, true);
    }
    Parallel.run(masters, 8, missing, (c, i) -> c.createFile(file(dir, i)));
  }

  /** W6 for one repetition: delete every file of each W3 directory, one delete per file. */
  void deletes(int rep) throws Exception {
    for (int t : THREADS) {
      String dir = dir(rep, t);
      results.add("W6/" + t, Parallel.run(masters, t, options.metaFiles(),
          (c, i) -> c.deleteFile(file(dir, i))));
    }
  }
}
