package io.gfs.it.rerep;

import io.gfs.chunkserver.primary.PrimarySettings;
import io.gfs.chunkserver.server.ChunkserverConfig;
import io.gfs.chunkserver.server.ChunkserverNode;
import io.gfs.chunkserver.server.NettyDataPlane;
import io.gfs.client.GfsClient;
import io.gfs.master.server.MasterServer;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkserverStatus;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetClusterStatusRequest;
import io.gfs.proto.GetClusterStatusResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Three real masters and real chunkservers (Netty data plane, gRPC replication) on 127.0.0.1
 * ephemeral ports, with short leases and heartbeats so re-replication happens within seconds.
 * A chunkserver can be stopped and started again on its data directory (new ports).
 */
final class RerepCluster implements AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(4);
  static final Duration HEARTBEAT_EXPIRY = Duration.ofSeconds(2);
  static final Duration WAIT = Duration.ofSeconds(90);

  final MasterTestCluster masters;
  private final Path dir;
  private final Map<String, ChunkserverNode> chunkservers = new LinkedHashMap<>();
  private final List<String> masterAddresses;

  RerepCluster(Path dir, int chunkserverCount) throws Exception {
    this.dir = dir;
    this.masters = MasterTestCluster.start(dir.resolve("masters"),
        c -> c.withTimes(LEASE, HEARTBEAT_EXPIRY));
    this.masterAddresses = masters.ids().stream()
        .map(id -> "127.0.0.1:" + masters.config(id).self().apiPort()).toList();
    try {
      masters.awaitLeader(WAIT);
      for (int i = 1; i <= chunkserverCount; i++) {
        start("cs" + i);
      }
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  ChunkserverConfig config(String id) {
    return new ChunkserverConfig(id, dir.resolve(id), "127.0.0.1", "127.0.0.1", 0, 0, 0,
        masterAddresses, Duration.ofMillis(200), 1 << 20, 4, true, true,
        new PrimarySettings(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofMillis(500),
            Duration.ofSeconds(2), Duration.ofMillis(100)), "it-rerep");
  }

  ChunkserverNode start(String id) throws Exception {
    if (chunkservers.containsKey(id)) {
      throw new IllegalStateException(id + " is running");
    }
    ChunkserverNode node = new ChunkserverNode(config(id), NettyDataPlane.STARTER,
        InstantSource.system()).start();
    chunkservers.put(id, node);
    return node;
  }

  void stop(String id) {
    ChunkserverNode node = chunkservers.remove(id);
    if (node != null) {
      node.close();
    }
  }

  ChunkserverNode node(String id) {
    return chunkservers.get(id);
  }

  List<String> running() {
    return List.copyOf(chunkservers.keySet());
  }

  GfsClient client() {
    return GfsClient.builder().masters(String.join(",", masterAddresses))
        .operationTimeout(Duration.ofSeconds(60)).attemptTimeout(Duration.ofSeconds(10))
        .dataTimeout(Duration.ofSeconds(10)).locationCacheTtl(Duration.ofMillis(200)).build();
  }

  String leader() {
    return masters.awaitLeader(WAIT);
  }

  MasterServer leaderServer() {
    return masters.master(leader());
  }

  GetClusterStatusResponse status() {
    return masters.masterStub(leader()).withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
        .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
  }

  /** The chunks of a file as the leader knows them (replicas with live addresses). */
  List<ChunkInfo> chunks(String path) {
    return masters.masterStub(leader()).withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
        .getChunkLocations(GetChunkLocationsRequest.newBuilder().setPath(path).build())
        .getChunksList();
  }

  /** The up-to-date replica set the leader's state holds for a chunk (live or not). */
  List<String> replicaSet(String handle) {
    return leaderServer().stateMachine().state().chunk(handle).orElseThrow()
        .getReplicasList().stream().map(l -> l.getServerId()).toList();
  }

  Map<String, Boolean> alive() {
    return status().getChunkserversList().stream()
        .collect(Collectors.toMap(ChunkserverStatus::getServerId, ChunkserverStatus::getAlive));
  }

  /** Every running chunkserver is live at the leader and the leader left its safe mode. */
  void awaitReady() {
    Awaitility.await("chunkservers live, safe mode over").atMost(WAIT)
        .pollInterval(Duration.ofMillis(100)).until(() -> {
          GetClusterStatusResponse s = status();
          return !s.getSafeMode() && s.getChunkserversList().stream()
              .filter(ChunkserverStatus::getAlive).map(ChunkserverStatus::getServerId)
              .collect(Collectors.toSet()).containsAll(running());
        });
  }

  void awaitDead(String id) {
    Awaitility.await(id + " seen dead").atMost(WAIT).pollInterval(Duration.ofMillis(100))
        .until(() -> !alive().getOrDefault(id, false));
  }

  @Override
  public void close() {
    for (String id : List.copyOf(chunkservers.keySet())) {
      stop(id);
    }
    masters.close();
  }
}
