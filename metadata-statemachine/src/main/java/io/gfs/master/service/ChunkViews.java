package io.gfs.master.service;

import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ChunkserverRegistry;
import io.gfs.master.registry.ReplicaReport;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import java.util.Optional;

/** Turns the state's chunk records (replicas as bare server ids) into client views. */
final class ChunkViews {

  private final ChunkserverRegistry registry;

  ChunkViews(ChunkserverRegistry registry) {
    this.registry = registry;
  }

  /** Keeps the live replicas and fills in their addresses from the registry. */
  ChunkInfo withLiveAddresses(ChunkInfo chunk) {
    ChunkInfo.Builder b = chunk.toBuilder().clearReplicas();
    for (ChunkLocation replica : chunk.getReplicasList()) {
      Optional<ChunkserverRecord> r = registry.get(replica.getServerId());
      if (r.isPresent() && registry.isLive(replica.getServerId())) {
        b.addReplicas(location(r.get()));
      }
    }
    return b.build();
  }

  boolean isLive(String serverId) {
    return registry.isLive(serverId);
  }

  static ChunkLocation location(ChunkserverRecord r) {
    return ChunkLocation.newBuilder()
        .setServerId(r.serverId())
        .setHost(r.address().host())
        .setDataPort(r.address().dataPort())
        .setReplicationPort(r.address().replicationPort())
        .build();
  }

  /**
   * Live and not known to be behind. A replica's report may lag one version behind right after
   * a lease grant (it learns the new version from the new primary); a replica that missed a
   * commit is removed from the chunk's replica list through MarkStaleOp instead.
   */
  boolean upToDateLive(ChunkInfo chunk, String serverId) {
    if (!registry.isLive(serverId)) {
      return false;
    }
    Optional<ReplicaReport> report = registry.get(serverId)
        .map(r -> r.replicas().get(chunk.getHandle()));
    return report.isEmpty() || report.get().version() + 1 >= chunk.getVersion();
  }
}
