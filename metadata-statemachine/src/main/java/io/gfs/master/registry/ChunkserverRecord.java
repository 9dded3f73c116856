package io.gfs.master.registry;

import java.time.Instant;
import java.util.Map;

/** What this master knows about one chunkserver; immutable, replaced on every report. */
public record ChunkserverRecord(String serverId, ServerAddress address, String buildInfo,
    ResourceSample usage, Map<String, ReplicaReport> replicas, Instant lastHeartbeat) {

  public ChunkserverRecord {
    replicas = Map.copyOf(replicas);
  }
}
