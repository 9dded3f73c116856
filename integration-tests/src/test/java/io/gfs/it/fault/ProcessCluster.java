package io.gfs.it.fault;

import io.gfs.master.testing.MasterTestCluster;

import io.gfs.client.GfsClient;
import io.gfs.proto.GetRaftStatusResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Three masters and a few chunkservers, each its own JVM ({@code io.gfs.launcher.Launcher master|
 * chunkserver}, the distribution's entry point) with its own data dir and ports. Nodes can be
 * killed with SIGKILL, paused, restarted, and (with {@link ClusterSpec#namespaces()}) cut off from
 * each other. {@link #close} kills every process, also when the test failed.
 */
final class ProcessCluster implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ProcessCluster.class);
  static final int MASTERS = 3;
  private static final int FIRST_CHUNKSERVER_NODE = 11;
  private static final int RAFT_PORT = 9010;
  private static final int API_PORT = 9000;
  private static final int DATA_PORT = 8080;

  private final ClusterSpec spec;
  private final Path dir;
  private final NodeNetwork network;
  private final PidFiles pids;
  private final Map<String, NodeProcess> masters = new LinkedHashMap<>();
  private final Map<String, NodeProcess> chunkservers = new LinkedHashMap<>();
  private final Map<String, String> masterApi = new LinkedHashMap<>();
  private final Map<String, Path> chunkserverDirs = new LinkedHashMap<>();
  private final Map<String, Integer> nodeNumbers = new LinkedHashMap<>();
  private final GfsClient admin;
  private final Thread shutdownHook = new Thread(this::killAll, "fault-cluster-shutdown");

  private ProcessCluster(ClusterSpec spec, Path dir, NodeNetwork network, PidFiles pids) {
    this.spec = spec;
    this.dir = dir;
    this.network = network;
    this.pids = pids;
    // Every node's ports from one probe, all held at once: ports probed in separate calls can
    // repeat (the kernel hands a just-closed ephemeral port out again), and then two masters
    // were configured with the same address and never elected a leader.
    int[] free = network.canCut() ? new int[0]
        : MasterTestCluster.freePorts(2 * MASTERS + 3 * spec.chunkservers());
    List<int[]> ports = new ArrayList<>();
    for (int m = 1; m <= MASTERS; m++) {
      ports.add(network.canCut() ? new int[] {RAFT_PORT, API_PORT}
          : Arrays.copyOfRange(free, 2 * (m - 1), 2 * m));
    }
    StringBuilder peers = new StringBuilder();
    for (int m = 1; m <= MASTERS; m++) {
      String host = network.host(m);
      peers.append(m > 1 ? "," : "").append("m").append(m).append('=').append(host).append(':')
          .append(ports.get(m - 1)[0]).append(':').append(ports.get(m - 1)[1]);
      masterApi.put("m" + m, host + ":" + ports.get(m - 1)[1]);
      nodeNumbers.put("m" + m, m);
    }
    for (int m = 1; m <= MASTERS; m++) {
      String id = "m" + m;
      masters.put(id, node(id, m, List.of("master", "--node-id", id, "--peers", peers.toString(),
          "--data-dir", dir.resolve(id).toString(),
          "--chunk-size", Long.toString(spec.chunkSizeBytes()),
          "--lease-duration", spec.leaseDuration().toMillis() + "ms",
          "--heartbeat-expiry", spec.heartbeatExpiry().toMillis() + "ms",
          "--election-timeout-min", spec.electionTimeoutMin().toMillis() + "ms",
          "--election-timeout-max", spec.electionTimeoutMax().toMillis() + "ms",
          "--request-timeout", "5s")));
    }
    String masterList = String.join(",", masterApi.values());
    for (int c = 0; c < spec.chunkservers(); c++) {
      int node = FIRST_CHUNKSERVER_NODE + c;
      String id = "cs" + (c + 1);
      int first = 2 * MASTERS + 3 * c;
      int[] p = network.canCut() ? new int[] {DATA_PORT, DATA_PORT + 1, DATA_PORT + 2}
          : Arrays.copyOfRange(free, first, first + 3);
      Path data = dir.resolve(id);
      chunkserverDirs.put(id, data);
      nodeNumbers.put(id, node);
      chunkservers.put(id, node(id, node, List.of("chunkserver", "--id", id,
          "--data-dir", data.toString(), "--bind-address", network.host(node),
          "--advertised-host", network.host(node), "--data-port", Integer.toString(p[0]),
          "--replication-port", Integer.toString(p[1]), "--admin-port", Integer.toString(p[2]),
          "--masters", masterList,
          "--heartbeat-interval-ms", Long.toString(spec.heartbeatInterval().toMillis()),
          "--chunk-size-bytes", Long.toString(spec.chunkSizeBytes()),
          "--io-threads", "4", "--replica-deadline-ms", "4000")));
    }
    this.admin = client(Duration.ofSeconds(5), Duration.ofMillis(800));
  }

  /** Starts a cluster in {@code dir} after cleaning up what a crashed earlier run left. */
  static ProcessCluster start(ClusterSpec spec, Path dir) {
    PidFiles pids = PidFiles.shared();
    pids.killLeftovers();
    List<Integer> nodes = new ArrayList<>();
    for (int m = 1; m <= MASTERS; m++) {
      nodes.add(m);
    }
    for (int c = 0; c < spec.chunkservers(); c++) {
      nodes.add(FIRST_CHUNKSERVER_NODE + c);
    }
    if (!spec.namespaces() && NamespaceNetwork.available()) {
      NamespaceNetwork.removeLeftovers();
    }
    NodeNetwork network = spec.namespaces() ? NamespaceNetwork.create(nodes)
        : NodeNetwork.loopback();
    ProcessCluster cluster = new ProcessCluster(spec, dir, network, pids);
    // Also when the test JVM is stopped (SIGTERM, end of the run) with the cluster still up.
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.masters.values().forEach(NodeProcess::start);
      cluster.chunkservers.values().forEach(NodeProcess::start);
      cluster.awaitLeader(Duration.ofSeconds(90));
      cluster.awaitChunkservers(spec.chunkservers(), Duration.ofSeconds(90));
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private NodeProcess node(String id, int number, List<String> roleArgs) {
    List<String> cmd = new ArrayList<>(network.commandPrefix(number));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx256m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:MaxDirectMemorySize=128m", PidFiles.MARKER + id,
        "-cp", System.getProperty("gfs.fault.classpath", System.getProperty("java.class.path")),
        "io.gfs.launcher.Launcher"));
    cmd.addAll(roleArgs);
    return new NodeProcess(id, cmd, dir.resolve("logs").resolve(id + ".log"), pids);
  }

  /** A new SDK client of this cluster. */
  GfsClient client(Duration operationTimeout, Duration attemptTimeout) {
    return GfsClient.builder().masters(String.join(",", masterApi.values()))
        .operationTimeout(operationTimeout).attemptTimeout(attemptTimeout)
        .dataTimeout(Duration.ofSeconds(5)).locationCacheTtl(Duration.ofSeconds(2)).build();
  }

  String masterAddresses() {
    return String.join(",", masterApi.values());
  }

  String masterAddress(String id) {
    return masterApi.get(id);
  }

  NodeProcess master(String id) {
    return masters.get(id);
  }

  NodeProcess chunkserver(String id) {
    return chunkservers.get(id);
  }

  List<String> masterIds() {
    return List.copyOf(masters.keySet());
  }

  List<String> chunkserverIds() {
    return List.copyOf(chunkservers.keySet());
  }

  Path chunkserverDir(String id) {
    return chunkserverDirs.get(id);
  }

  NodeNetwork network() {
    return network;
  }

  int nodeNumber(String id) {
    return nodeNumbers.get(id);
  }

  /** Each reachable master's own Raft view, by master id. */
  Map<String, GetRaftStatusResponse> raftStatus() {
    Map<String, GetRaftStatusResponse> byAddress = admin.raftStatus();
    Map<String, GetRaftStatusResponse> out = new LinkedHashMap<>();
    masterApi.forEach((id, address) -> {
      if (byAddress.containsKey(address)) {
        out.put(id, byAddress.get(address));
      }
    });
    return out;
  }

  /** The master that says it leads, or empty. */
  Optional<String> leader() {
    for (Map.Entry<String, GetRaftStatusResponse> e : raftStatus().entrySet()) {
      if (e.getValue().getSelf().getRole().equals("LEADER")
          && masters.get(e.getKey()).isRunning()) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  /** The highest Raft term any reachable master reports. */
  long maxTerm() {
    return raftStatus().values().stream().mapToLong(s -> s.getSelf().getTerm()).max().orElse(0);
  }

  String awaitLeader(Duration timeout) {
    return Deadlines.await("a master leader", timeout, this::leader,
        () -> masters.values().stream().map(m -> m.id() + ":\n" + m.logTail(15))
            .reduce("", (a, b) -> a + "\n" + b));
  }

  /** Waits until the leader sees {@code n} live chunkservers. */
  void awaitChunkservers(int n, Duration timeout) {
    Deadlines.await(n + " live chunkservers", timeout, () -> {
      try {
        long alive = admin.clusterStatus().getChunkserversList().stream()
            .filter(c -> c.getAlive()).count();
        return alive >= n ? Optional.of(alive) : Optional.empty();
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }, () -> chunkservers.values().stream().map(c -> c.id() + ":\n" + c.logTail(15))
        .reduce("", (a, b) -> a + "\n" + b));
  }

  /** Kills every node process and removes the namespaces, whatever state they are in. */
  @Override
  public void close() {
    try {
      admin.close();
    } catch (RuntimeException e) {
      LOG.warn("fault closing admin client failed error={}", e.toString());
    }
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs anyway
    }
  }

  private void killAll() {
    for (NodeProcess p : chunkservers.values()) {
      p.kill();
    }
    for (NodeProcess p : masters.values()) {
      p.kill();
    }
    network.close();
  }

  static Path runDir(String scenario, long seed) {
    Path d = Path.of("target", "fault-runs", scenario + "-" + seed + "-" + System.nanoTime())
        .toAbsolutePath();
    try {
      Files.createDirectories(d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return d;
  }
}
