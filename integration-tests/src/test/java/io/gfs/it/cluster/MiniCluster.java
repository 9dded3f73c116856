package io.gfs.it.cluster;

import io.gfs.client.GfsClient;
import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.server.MasterServer;
import io.gfs.master.server.PeerSpec;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetChunkLocationsResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.awaitility.Awaitility;

/**
 * A whole cluster in this JVM: three real masters on Ratis ({@link MasterTestCluster}) and N real
 * chunkservers with the Netty data plane, all on 127.0.0.1 ephemeral ports, each in its own
 * directory under the base directory. Chunkservers and masters can be stopped and started again on
 * their directories; chunk replica files can be found on disk; clients made here are closed with
 * the cluster.
 *
 * <pre>{@code
 * try (MiniCluster c = MiniCluster.builder(tempDir).chunkservers(3).start();
 *     GfsClient gfs = c.newClient()) {
 *   gfs.writeFile("/a", bytes);
 *   c.stopChunkserver("cs2");
 * }
 * }</pre>
 */
public final class MiniCluster implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(MiniCluster.class);
  static final String HOST = "127.0.0.1";

  private final Settings settings;
  private final MasterTestCluster masters;
  private final Map<String, MiniChunkserver> chunkservers = new LinkedHashMap<>();
  private final List<GfsClient> clients = new CopyOnWriteArrayList<>();

  /** The cluster's tunables; immutable. */
  public record Settings(Path baseDir, int chunkserverCount, long chunkSizeBytes,
      Duration leaseDuration, Duration heartbeatExpiry, Duration heartbeatInterval,
      Map<String, Path> dataDirOverrides, Duration startTimeout) {
    public Settings {
      if (baseDir == null) {
        throw new IllegalArgumentException("a base directory is required");
      }
      if (chunkserverCount < 1 || chunkserverCount > 16) {
        throw new IllegalArgumentException("1..16 chunkservers, got " + chunkserverCount);
      }
      dataDirOverrides = Map.copyOf(dataDirOverrides);
    }
  }

  /** Builds a {@link MiniCluster}; defaults: 3 chunkservers, 1 MiB chunks, 4 s lease and expiry. */
  public static final class Builder {
    private final Path baseDir;
    private int chunkservers = 3;
    private long chunkSizeBytes = 1 << 20;
    private Duration lease = Duration.ofSeconds(4);
    private Duration heartbeatExpiry = Duration.ofSeconds(4);
    private Duration heartbeatInterval = Duration.ofMillis(500);
    private final Map<String, Path> dataDirs = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder(Path baseDir) {
      this.baseDir = baseDir;
    }

    public Builder chunkservers(int count) {
      this.chunkservers = count;
      return this;
    }

    public Builder chunkSize(long bytes) {
      this.chunkSizeBytes = bytes;
      return this;
    }

    /** Primary lease length and how long a silent chunkserver still counts as live. */
    public Builder times(Duration lease, Duration heartbeatExpiry) {
      this.lease = lease;
      this.heartbeatExpiry = heartbeatExpiry;
      return this;
    }

    /** Puts chunkserver {@code id} (cs1, cs2, ...) on {@code dir} instead of under the base dir. */
    public Builder dataDir(String id, Path dir) {
      dataDirs.put(id, dir);
      return this;
    }

    public MiniCluster start() {
      return MiniCluster.start(new Settings(baseDir, chunkservers, chunkSizeBytes, lease,
          heartbeatExpiry, heartbeatInterval, dataDirs, startTimeout));
    }
  }

  public static Builder builder(Path baseDir) {
    return new Builder(baseDir);
  }

  private MiniCluster(Settings settings, MasterTestCluster masters) {
    this.settings = settings;
    this.masters = masters;
  }

  private static MiniCluster start(Settings s) {
    MasterTestCluster masters = MasterTestCluster.start(s.baseDir().resolve("masters"),
        c -> c.withChunkSize(s.chunkSizeBytes()).withTimes(s.leaseDuration(), s.heartbeatExpiry()));
    MiniCluster cluster = new MiniCluster(s, masters);
    try {
      masters.awaitLeader(s.startTimeout());
      List<String> addresses = cluster.masterAddressList();
      for (int i = 1; i <= s.chunkserverCount(); i++) {
        String id = "cs" + i;
        Path dir = s.dataDirOverrides().getOrDefault(id, s.baseDir().resolve(id));
        MiniChunkserver cs = new MiniChunkserver(id, dir, addresses, s.chunkSizeBytes(),
            s.heartbeatInterval());
        cluster.chunkservers.put(id, cs);
        cs.start();
      }
      for (String id : cluster.chunkserverIds()) {
        cluster.awaitChunkserverLive(id);
      }
      LOG.info("mini cluster ready masters={} chunkservers={}", cluster.masterAddresses(),
          cluster.chunkserverIds());
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  public Settings settings() {
    return settings;
  }

  // ---- masters ----

  public MasterTestCluster masters() {
    return masters;
  }

  public List<String> masterAddressList() {
    return masters.ids().stream().map(id -> masters.config(id).self())
        .map(PeerSpec::apiAddress)
        .toList();
  }

  /** "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3", for clients and the CLI's --masters. */
  public String masterAddresses() {
    return String.join(",", masterAddressList());
  }

  public String awaitLeader() {
    return masters.awaitLeader(settings.startTimeout());
  }

  /** The leader's server object (waits for a leader). */
  public MasterServer leader() {
    return masters.master(awaitLeader());
  }

  public void stopMaster(String id) {
    masters.stopMaster(id);
  }

  public void startMaster(String id) {
    masters.startMaster(id);
  }

  /** Stops and starts a master on its directory; waits for a leader again. */
  public void restartMaster(String id) {
    masters.restartMaster(id);
    awaitLeader();
  }

  // ---- chunkservers ----

  public List<String> chunkserverIds() {
    return List.copyOf(chunkservers.keySet());
  }

  public MiniChunkserver chunkserver(String id) {
    MiniChunkserver cs = chunkservers.get(id);
    if (cs == null) {
      throw new IllegalArgumentException("no chunkserver " + id + " in " + chunkservers.keySet());
    }
    return cs;
  }

  public void stopChunkserver(String id) {
    chunkserver(id).stop();
  }

  /** Starts a stopped chunkserver on its directory (its old ports when free); waits until live. */
  public void startChunkserver(String id) {
    chunkserver(id).start();
    awaitChunkserverLive(id);
  }

  /** Waits until the leader has a live record of {@code id} at its current data port. */
  public void awaitChunkserverLive(String id) {
    MiniChunkserver cs = chunkserver(id);
    Awaitility.await(id + " live at the leader").atMost(settings.startTimeout())
        .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> {
          MasterServer leader = leader();
          Optional<ChunkserverRecord> r = leader.registry().get(id);
          return r.isPresent() && leader.registry().isLive(id)
              && r.get().address().dataPort() == cs.dataPort();
        });
  }

  /** Waits until the leader no longer counts {@code id} as live (its heartbeats expired). */
  public void awaitChunkserverDead(String id) {
    Awaitility.await(id + " dead at the leader").atMost(settings.startTimeout())
        .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> !leader().registry().isLive(id));
  }

  // ---- chunks ----

  /** The leader's view of a file's chunks (default namespace), with live replica addresses. */
  public GetChunkLocationsResponse chunkLocations(String path) {
    return masters.masterStub(awaitLeader()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getChunkLocations(GetChunkLocationsRequest.newBuilder().setNamespace("default")
            .setPath(path).build());
  }

  /** Ids of the servers the leader lists as replicas of chunk {@code index} of {@code path}. */
  public List<String> replicaIds(String path, int index) {
    ChunkInfo c = chunkLocations(path).getChunks(index);
    return c.getReplicasList().stream().map(r -> r.getServerId()).sorted().toList();
  }

  /**
   * Waits until {@code servers} have each committed at least {@code length} bytes of chunk
   * {@code handle} (a write is acknowledged at a quorum; the last replica may apply it later).
   */
  public void awaitReplicasCommitted(String handle, long length, List<String> servers) {
    Awaitility.await("replicas of " + handle + " at " + length).atMost(settings.startTimeout())
        .pollInterval(Duration.ofMillis(50))
        .until(() -> servers.stream().allMatch(id -> chunkserver(id).node().store().state(handle)
            .map(m -> m.committedLength() >= length).orElse(false)));
  }

  /** The chunk data file of {@code handle} on each chunkserver that has one on disk. */
  public Map<String, Path> replicaFiles(String handle) {
    Map<String, Path> out = new LinkedHashMap<>();
    for (MiniChunkserver cs : chunkservers.values()) {
      Path f = cs.dataDir().resolve("chunks").resolve(handle + ".chunk");
      if (Files.exists(f)) {
        out.put(cs.id(), f);
      }
    }
    return out;
  }

  // ---- clients ----

  /** Client settings suited to this cluster's short timings; not closed by the cluster. */
  public GfsClient.Builder clientBuilder() {
    return GfsClient.builder().masters(masterAddresses())
        .operationTimeout(Duration.ofSeconds(30))
        .attemptTimeout(Duration.ofSeconds(3))
        .dataTimeout(Duration.ofSeconds(15));
  }

  /** A client that the cluster closes on {@link #close()}. */
  public GfsClient newClient() {
    GfsClient c = clientBuilder().build();
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    for (GfsClient c : clients) {
      closeQuietly("client", c);
    }
    clients.clear();
    List<MiniChunkserver> all = new ArrayList<>(chunkservers.values());
    for (int i = all.size() - 1; i >= 0; i--) {
      closeQuietly(all.get(i).id(), all.get(i));
    }
    closeQuietly("masters", masters);
  }

  private static void closeQuietly(String what, AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("mini cluster close failed part={} error={}", what, e.toString());
    }
  }

  @Override
  public String toString() {
    return "MiniCluster{masters=" + masterAddresses() + ", chunkservers="
        + chunkservers.values().stream().map(MiniChunkserver::toString)
            .collect(Collectors.joining(",")) + "}";
  }
}
