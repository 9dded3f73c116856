package io.gfs.master.testing;

import io.gfs.master.server.MasterConfig;
import io.gfs.master.server.MasterServer;
import io.gfs.master.server.PeerSpec;
import io.gfs.proto.ChunkserverControlServiceGrpc;
import io.gfs.proto.MasterAdminServiceGrpc;
import io.gfs.proto.MasterServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;

/**
 * Three real masters in-process on 127.0.0.1 ephemeral ports, each in its own directory under
 * {@code baseDir}. Any master can be stopped and started again on its directory; Raft links can
 * be cut through {@link #partition()}; stubs are built per master.
 *
 * <pre>{@code
 * try (MasterTestCluster c = MasterTestCluster.start(tempDir, cfg -> cfg)) {
 *   String leader = c.awaitLeader(Duration.ofSeconds(30));
 *   c.masterStub(leader).createFile(...);
 * }
 * }</pre>
 */
public final class MasterTestCluster implements AutoCloseable {

  private static final String HOST = "127.0.0.1";

  private final Map<String, MasterConfig> configs = new LinkedHashMap<>();
  private final Map<String, MasterServer> running = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final NetworkPartition partition = new NetworkPartition();
  private final Random random = new Random(42);

  private MasterTestCluster(List<MasterConfig> configs) {
    configs.forEach(c -> this.configs.put(c.nodeId(), c));
  }

  /** Starts m1..m3; {@code tune} adjusts each master's config (e.g. a small checkpoint gap). */
  public static MasterTestCluster start(Path baseDir, UnaryOperator<MasterConfig> tune) {
    List<PeerSpec> peers = new ArrayList<>();
    int[] ports = freePorts(6);
    for (int i = 1; i <= 3; i++) {
      peers.add(new PeerSpec("m" + i, HOST, ports[2 * i - 2], ports[2 * i - 1]));
    }
    List<MasterConfig> configs = new ArrayList<>();
    for (PeerSpec p : peers) {
      MasterConfig base = MasterConfig.withDefaults(p.id(), peers, baseDir.resolve(p.id()));
      MasterConfig c = new MasterConfig(p.id(), peers, HOST, base.dataDir(),
          1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(5),
          base.electionTimeoutMin(), base.electionTimeoutMax(), 10_000, Duration.ofSeconds(8),
          base.writesInFlight(), base.checkpointOnStop());
      configs.add(tune.apply(c));
    }
    MasterTestCluster cluster = new MasterTestCluster(configs);
    try {
      for (String id : cluster.ids()) {
        cluster.startMaster(id);
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * {@code n} distinct free ports: every probe socket stays open until all are chosen, or the
   * kernel may hand out the same ephemeral port twice (a peer with equal Raft and API ports).
   */
  public static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        held.add(s);
        out[i] = s.getLocalPort();
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // a probe socket
        }
      }
    }
  }

  public List<String> ids() {
    return List.copyOf(configs.keySet());
  }

  public MasterConfig config(String id) {
    return configs.get(id);
  }

  public NetworkPartition partition() {
    return partition;
  }

  /** Cuts {@code id} off from every other master (both directions). */
  public void isolate(String id) {
    for (String other : ids()) {
      if (!other.equals(id)) {
        partition.cut(id, other);
      }
    }
  }

  public void startMaster(String id) {
    if (running.containsKey(id)) {
      throw new IllegalStateException(id + " is already running");
    }
    MasterServer m = new MasterServer(configs.get(id), Clock.systemUTC(),
        new Random(random.nextLong()), new LinkCutter(id, partition),
        failure -> { throw new AssertionError("state machine failure on " + id, failure); });
    try {
      m.start();
    } catch (IOException e) {
      m.close();
      throw new UncheckedIOException(e);
    }
    running.put(id, m);
  }

  /** Stops a master (its Raft server and API); its directory stays for a restart. */
  public void stopMaster(String id) {
    MasterServer m = running.remove(id);
    if (m != null) {
      m.close();
    }
  }

  public void restartMaster(String id) {
    stopMaster(id);
    startMaster(id);
  }

  public boolean isRunning(String id) {
    return running.containsKey(id);
  }

  public MasterServer master(String id) {
    MasterServer m = running.get(id);
    if (m == null) {
      throw new IllegalStateException(id + " is not running");
    }
    return m;
  }

  public String anyRunningId() {
    return ids().stream().filter(running::containsKey).findFirst()
        .orElseThrow(() -> new IllegalStateException("no master running"));
  }

  /** The running master that is a ready leader, if exactly one claims to be. */
  public Optional<String> leader() {
    List<String> leaders = running.entrySet().stream()
        .filter(e -> e.getValue().isLeader()).map(Map.Entry::getKey).toList();
    return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
  }

  public String awaitLeader(Duration timeout) {
    return Awaitility.await("a leader").atMost(timeout).pollInterval(Duration.ofMillis(50))
        .until(this::leader, Optional::isPresent).orElseThrow();
  }

  /** Waits for a leader other than {@code old}, considering only running masters. */
  public String awaitNewLeader(String old, Duration timeout) {
    return Awaitility.await("a new leader").atMost(timeout).pollInterval(Duration.ofMillis(20))
        .until(() -> running.entrySet().stream()
            .filter(e -> !e.getKey().equals(old) && e.getValue().isLeader())
            .map(Map.Entry::getKey).findFirst(), Optional::isPresent).orElseThrow();
  }

  public List<String> followers(String leader) {
    return ids().stream().filter(id -> !id.equals(leader)).toList();
  }

  public ManagedChannel channel(String id) {
    return channels.computeIfAbsent(id, k -> ManagedChannelBuilder
        .forAddress(HOST, configs.get(k).self().apiPort()).usePlaintext().build());
  }

  public MasterServiceGrpc.MasterServiceBlockingStub masterStub(String id) {
    return MasterServiceGrpc.newBlockingStub(channel(id));
  }

  public ChunkserverControlServiceGrpc.ChunkserverControlServiceBlockingStub controlStub(
      String id) {
    return ChunkserverControlServiceGrpc.newBlockingStub(channel(id));
  }

  public MasterAdminServiceGrpc.MasterAdminServiceBlockingStub adminStub(String id) {
    return MasterAdminServiceGrpc.newBlockingStub(channel(id));
  }

  public LeaderFollowingClient client() {
    return new LeaderFollowingClient(this, Duration.ofSeconds(10), Duration.ofSeconds(60));
  }

  @Override
  public void close() {
    for (String id : ids()) {
      stopMaster(id);
    }
    for (ManagedChannel ch : channels.values()) {
      ch.shutdownNow();
      try {
        ch.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
  }
}
