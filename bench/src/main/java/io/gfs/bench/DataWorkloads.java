package io.gfs.bench;

import io.gfs.client.GfsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** W1 (sequential write), W2 (sequential read, warm and cold) and W5 (durable appends). */
final class DataWorkloads {
  private static final int MIB = 1 << 20;
  private static final int PATTERNS = 16;
  private static final int RECORD_BYTES = 4096;

  private final Options options;
  private final Cluster cluster;
  private final Results results;
  /** Random (incompressible) 1 MiB buffers; buffer k is pattern k mod 16 stamped with k. */
  private final byte[][] patterns = new byte[PATTERNS][MIB];
  private boolean coldSkipped;

  DataWorkloads(Options options, Cluster cluster, Results results, Random random) {
    this.options = options;
    this.cluster = cluster;
    this.results = results;
    for (byte[] p : patterns) {
      random.nextBytes(p);
    }
  }

  static String seqFile(int rep) {
    return "/bench/seq/file-" + rep;
  }

  /** Writes a file of {@code mib} stamped 1 MiB buffers; returns MiB/s until close returns. */
  double writeFile(GfsClient client, String path, int mib) throws IOException {
    long t0 = System.nanoTime();
    try (OutputStream out = client.openOutputStream(path)) {
      for (int k = 0; k < mib; k++) {
        byte[] b = patterns[k % PATTERNS];
        ByteBuffer.wrap(b).putLong(0, k);
        out.write(b, 0, MIB);
      }
    }
    return mib / ((System.nanoTime() - t0) / 1e9);
  }

  /** Reads {@code path} to EOF in 1 MiB buffers, checking stamps and length; returns MiB/s. */
  static double readFile(GfsClient client, String path, int mib) throws IOException {
    byte[] buf = new byte[MIB];
    long total = 0;
    long t0 = System.nanoTime();
    try (InputStream in = client.openInputStream(path)) {
      for (long k = 0; ; k++) {
        int n = in.readNBytes(buf, 0, MIB);
        if (n == 0) {
          break;
        }
        if (n < 8 || ByteBuffer.wrap(buf).getLong(0) != k) {
          throw new IllegalStateException(path + ": buffer " + k + " has the wrong stamp");
        }
        total += n;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (total != (long) mib * MIB) {
      throw new IllegalStateException(path + ": read " + total + " bytes, wrote " + mib + " MiB");
    }
    return mib / seconds;
  }

  void warmUp(GfsClient client) throws IOException {
    client.mkdir("/bench/warm", true);
    writeFile(client, "/bench/warm/file", options.warmFileMib());
    readFile(client, "/bench/warm/file", options.warmFileMib());
    client.delete("/bench/warm/file", false);
    client.createFile("/bench/warm/appends");
    byte[] record = new byte[RECORD_BYTES];
    for (int i = 0; i < options.warmAppends(); i++) {
      client.appendFile("/bench/warm/appends", record);
    }
  }

  /** W1 then W2 warm then W2 cold, for one repetition; the file stays for W4. */
  void writeThenRead(GfsClient client, int rep) throws Exception {
    client.mkdir("/bench/seq", true);
    Shell.run("sync");
    double cpu0 = cluster.cpuSecondsTotal();
    double clientCpu0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
    double mibps = writeFile(client, seqFile(rep), options.fileMib());
    double gib = options.fileMib() / 1024.0;
    results.add("W1", Run.of(mibps));
    results.add("cpu-servers-per-GiB", Run.of((cluster.cpuSecondsTotal() - cpu0) / gib));
    results.add("cpu-client-per-GiB",
        Run.of((ProcStats.cpuSeconds(ProcessHandle.current().pid()) - clientCpu0) / gib));
    results.add("W2-warm", Run.of(readFile(client, seqFile(rep), options.fileMib())));
    Shell.run("sync");
    if (dropCaches()) {
      results.add("W2-cold", Run.of(readFile(client, seqFile(rep), options.fileMib())));
    }
  }

  /** The 4 GiB sustained write (deleted afterwards: it only needs the disk while it runs). */
  void sustained(GfsClient client, int rep) throws Exception {
    if (options.sustainedMib() <= 0) {
      return;
    }
    Shell.run("sync");
    String path = "/bench/seq/sustained-" + rep;
    results.add("W1-sustained", Run.of(writeFile(client, path, options.sustainedMib())));
    client.delete(path, false);
  }

  private boolean dropCaches() {
    try {
      Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
      return true;
    } catch (IOException | SecurityException e) {
      if (!coldSkipped) {
        results.note("W2-cold skipped: cannot write /proc/sys/vm/drop_caches (" + e + ")");
        coldSkipped = true;
      }
      return false;
    }
  }

  /** W5: one file, each 4 KiB record append acknowledged (durable) before the next. */
  void appends(String masters, int rep) throws Exception {
    String path = "/bench/append/file-" + rep;
    try (GfsClient setup = Clients.client(masters)) {
      setup.mkdir("/bench/append", true);
      setup.createFile(path);
    }
    byte[] record = new byte[RECORD_BYTES];
    new Random(rep).nextBytes(record);
    results.add("W5", Parallel.run(masters, 1, options.appends(),
        (c, i) -> c.appendFile(path, record)));
  }
}
