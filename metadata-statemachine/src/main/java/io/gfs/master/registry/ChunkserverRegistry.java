package io.gfs.master.registry;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Soft state about chunkservers (not in the Raft log): identity, address, usage, inventory and
 * the time of the last report. Every master keeps it, since chunkservers report to all masters,
 * so a new leader starts warm. Thread-safe: each record is immutable and replaced whole.
 */
public final class ChunkserverRegistry {
  private static final Logger LOG = LogManager.getLogger(ChunkserverRegistry.class);

  private final String nodeId;
  private final InstantSource clock;
  private final Duration heartbeatExpiry;
  private final Map<String, ChunkserverRecord> servers = new ConcurrentHashMap<>();

  public ChunkserverRegistry(String nodeId, InstantSource clock, Duration heartbeatExpiry) {
    this.nodeId = nodeId;
    this.clock = clock;
    this.heartbeatExpiry = heartbeatExpiry;
  }

  /** Records a full report from a (re)registering chunkserver. */
  public void register(String serverId, ServerAddress address, String buildInfo,
      ResourceSample usage, Collection<ReplicaReport> replicas) {
    ChunkserverRecord previous = servers.put(serverId, new ChunkserverRecord(serverId, address,
        buildInfo, usage, index(replicas), clock.instant()));
    if (previous == null || !previous.address().equals(address)) {
      LOG.info("{} chunkserver registered server={} host={} dataPort={} chunks={}", nodeId,
          serverId, address.host(), address.dataPort(), replicas.size());
    }
  }

  /**
   * Records a heartbeat; false when the server is unknown here (it must register again, e.g.
   * after this master restarted).
   */
  public boolean heartbeat(String serverId, ServerAddress address, String buildInfo,
      ResourceSample usage, Collection<ReplicaReport> replicas) {
    Instant now = clock.instant();
    ChunkserverRecord updated = servers.computeIfPresent(serverId,
        (id, old) -> new ChunkserverRecord(id, address, buildInfo, usage, index(replicas), now));
    return updated != null;
  }

  private static Map<String, ReplicaReport> index(Collection<ReplicaReport> replicas) {
    Map<String, ReplicaReport> byHandle = new HashMap<>();
    for (ReplicaReport r : replicas) {
      byHandle.put(r.handle(), r);
    }
    return byHandle;
  }

  public Optional<ChunkserverRecord> get(String serverId) {
    return Optional.ofNullable(servers.get(serverId));
  }

  /** Heard from within the heartbeat expiry. */
  public boolean isLive(String serverId) {
    ChunkserverRecord r = servers.get(serverId);
    return r != null && isLive(r, clock.instant());
  }

  public boolean isLive(ChunkserverRecord r, Instant now) {
    return !r.lastHeartbeat().plus(heartbeatExpiry).isBefore(now);
  }

  public List<ChunkserverRecord> all() {
    return List.copyOf(servers.values());
  }

  public List<ChunkserverRecord> live() {
    Instant now = clock.instant();
    return servers.values().stream().filter(r -> isLive(r, now)).toList();
  }

  public Instant now() {
    return clock.instant();
  }
}
