package io.gfs.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real cluster on 127.0.0.1: three masters and three chunkservers, each its own process started
 * with the distribution's bin/gfs (Raft log fsynced, fsync before every chunk acknowledgement).
 * Remembers each role's peak RSS and CPU time across restarts.
 */
final class Cluster implements AutoCloseable {
  static final int MASTERS = 3;
  static final int CHUNKSERVERS = 3;

  private final Path gfs;
  private final Path dir;
  private final int basePort;
  private final String javaOpts;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  /** Flags every master gets (--master-args), before any {@link #masterExtraArgs}. */
  private final List<String> masterArgs;
  private List<String> masterExtraArgs = List.of();
  private final Map<String, Long> peakRssKib = new LinkedHashMap<>();
  /** CPU seconds of earlier incarnations of each role (killed or stopped processes). */
  private final Map<String, Double> cpuOfPast = new LinkedHashMap<>();

  Cluster(Path distribution, Path dir, int basePort, String javaOpts, List<String> masterArgs) {
    this.gfs = distribution.resolve("bin/gfs");
    this.masterArgs = List.copyOf(masterArgs);
    this.dir = dir;
    this.basePort = basePort;
    this.javaOpts = javaOpts;
  }

  static String masterId(int i) {
    return "m" + (i + 1);
  }

  int raftPort(int i) {
    return basePort + i;
  }

  int apiPort(int i) {
    return basePort + 10 + i;
  }

  /** The first of chunkserver {@code i}'s three ports (data, replication, admin). */
  int chunkserverPort(int i) {
    return basePort + 100 + 10 * i;
  }

  String masterAddresses() {
    List<String> a = new ArrayList<>();
    for (int i = 0; i < MASTERS; i++) {
      a.add("127.0.0.1:" + apiPort(i));
    }
    return String.join(",", a);
  }

  Path dataDir() {
    return dir;
  }

  void startAll() throws IOException {
    // A second benchmark on the same ports would not fail: its processes cannot bind, and its
    // client measures (and writes into) the first one's cluster.
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < MASTERS; i++) {
      ports.add(raftPort(i));
      ports.add(apiPort(i));
    }
    for (int i = 0; i < CHUNKSERVERS; i++) {
      for (int k = 0; k < 3; k++) {
        ports.add(chunkserverPort(i) + k);
      }
    }
    for (int port : ports) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress("127.0.0.1", port));
      } catch (IOException e) {
        throw new IOException("port " + port + " on 127.0.0.1 is in use (is another benchmark"
            + " or cluster running?); stop it or choose other ports with --base-port", e);
      }
    }
    for (int i = 0; i < MASTERS; i++) {
      startMaster(masterId(i));
    }
    for (int i = 0; i < CHUNKSERVERS; i++) {
      startChunkserver(i);
    }
  }

  void startMaster(String id) throws IOException {
    int i = Integer.parseInt(id.substring(1)) - 1;
    List<String> peers = new ArrayList<>();
    for (int j = 0; j < MASTERS; j++) {
      peers.add(masterId(j) + "=127.0.0.1:" + raftPort(j) + ":" + apiPort(j));
    }
    start(id, List.of("master", "--node-id", id, "--peers", String.join(",", peers),
        "--api-bind-host", "127.0.0.1", "--data-dir", dir.resolve(id).toString(),
        "--chunk-size", "64MiB"), concat(masterArgs, masterExtraArgs));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Extra flags for masters started from now on (e.g. a lower checkpoint threshold). */
  void masterExtraArgs(List<String> args) {
    this.masterExtraArgs = List.copyOf(args);
  }

  private void startChunkserver(int i) throws IOException {
    String id = "cs" + (i + 1);
    int p = chunkserverPort(i);
    start(id, List.of("chunkserver", "--id", id, "--data-dir", dir.resolve(id).toString(),
        "--bind-address", "127.0.0.1", "--advertised-host", "127.0.0.1",
        "--data-port", Integer.toString(p), "--replication-port", Integer.toString(p + 1),
        "--admin-port", Integer.toString(p + 2), "--masters", masterAddresses()), List.of());
  }

  private void start(String id, List<String> args, List<String> extra) throws IOException {
    Files.createDirectories(dir.resolve(id));
    List<String> cmd = new ArrayList<>();
    cmd.add(gfs.toString());
    cmd.addAll(args);
    cmd.addAll(extra);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("GFS_HEAP", "2g");
    pb.environment().put("GFS_JAVA_OPTS", javaOpts.replace("{id}", id));
    File log = dir.resolve(id + ".log").toFile();
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    processes.put(id, pb.start());
  }

  /** kill -9 of one process (after sampling its peak RSS and CPU). */
  void kill(String id) throws InterruptedException {
    Process p = processes.remove(id);
    if (p == null) {
      return;
    }
    sample(id, p);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then kill -9 if it does not stop in time. */
  void stop(String id) throws InterruptedException {
    Process p = processes.remove(id);
    if (p == null) {
      return;
    }
    sample(id, p);
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void sample(String id, Process p) {
    long rss = ProcStats.peakRssKib(p.pid());
    peakRssKib.merge(id, rss, Math::max);
    double cpu = ProcStats.cpuSeconds(p.pid());
    if (cpu > 0) {
      cpuOfPast.merge(id, cpu, Double::sum);
    }
  }

  /** Peak RSS (KiB) per role over every incarnation so far, live ones included. */
  Map<String, Long> peakRssKib() {
    Map<String, Long> out = new LinkedHashMap<>(peakRssKib);
    processes.forEach((id, p) -> out.merge(id, ProcStats.peakRssKib(p.pid()), Math::max));
    return out;
  }

  /** Total CPU seconds of every server process, past incarnations included. */
  double cpuSecondsTotal() {
    double sum = cpuOfPast.values().stream().mapToDouble(Double::doubleValue).sum();
    for (Process p : processes.values()) {
      sum += Math.max(0, ProcStats.cpuSeconds(p.pid()));
    }
    return sum;
  }

  /** CPU seconds of the live masters (this incarnation of each). */
  double liveMasterCpuSeconds() {
    double sum = 0;
    for (int i = 0; i < MASTERS; i++) {
      Process p = processes.get(masterId(i));
      if (p != null) {
        sum += Math.max(0, ProcStats.cpuSeconds(p.pid()));
      }
    }
    return sum;
  }

  /** Process ids of the live server processes, by role. */
  Map<String, Long> pids() {
    Map<String, Long> out = new LinkedHashMap<>();
    processes.forEach((id, p) -> out.put(id, p.pid()));
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    for (String id : new ArrayList<>(processes.keySet())) {
      stop(id);
    }
  }
}
