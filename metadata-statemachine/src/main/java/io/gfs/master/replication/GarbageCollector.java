package io.gfs.master.replication;

import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ReplicaReport;
import io.gfs.master.statemachine.MasterState;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Decides which reported replicas are garbage (GFS §4.4), lazily, from the chunkservers'
 * latest reports: orphans (handles the master does not know, e.g. of deleted files) once they
 * have been unknown to this leader for {@code orphanGrace}, and stale replicas (not up to date)
 * of chunks that have enough good replicas and no lease that may be in force. Not thread-safe:
 * the planner thread only; its memory belongs to one leader term ({@link #reset}).
 */
final class GarbageCollector {
  private static final Logger LOG = LogManager.getLogger(GarbageCollector.class);
  private static final int TRACKED_MAX = 100_000;

  /** A replica to delete. */
  record Deletion(String serverId, String handle, String reason) {
  }

  private final String nodeId;
  private final ReplicationSettings settings;
  private final Map<String, Instant> unknownSince = new HashMap<>();
  private final Map<String, Instant> sentAt = new HashMap<>(); // serverId + "/" + handle

  GarbageCollector(String nodeId, ReplicationSettings settings) {
    this.nodeId = nodeId;
    this.settings = settings;
  }

  void reset() {
    unknownSince.clear();
    sentAt.clear();
  }

  /**
   * @param live the live chunkservers by id
   * @param copying true when a copy of (handle, server) is in flight: never garbage
   */
  List<Deletion> collect(MasterState state, Map<String, ChunkserverRecord> live, Instant now,
      CopyTargets copying) {
    Set<String> reported = new HashSet<>();
    List<Deletion> out = new ArrayList<>();
    int target = ReplicaHealth.target(live.size());
    Duration resend = settings.period().multipliedBy(5);
    sentAt.values().removeIf(t -> !now.isBefore(t.plus(resend)));
    for (ChunkserverRecord server : live.values()) {
      Map<String, ChunkInfo> known = state.chunks(server.replicas().keySet());
      for (ReplicaReport r : server.replicas().values()) {
        reported.add(r.handle());
        ChunkInfo chunk = known.get(r.handle());
        String reason;
        if (chunk == null) {
          reason = orphanDue(r.handle(), now) ? "orphan" : null;
        } else {
          reason = isStale(chunk, server.serverId(), r, live, target, now, copying)
              ? "stale version=" + r.version() + " current=" + chunk.getVersion() : null;
        }
        if (reason != null && sentAt.size() < TRACKED_MAX
            && sentAt.putIfAbsent(server.serverId() + "/" + r.handle(), now) == null) {
          out.add(new Deletion(server.serverId(), r.handle(), reason));
        }
      }
    }
    unknownSince.keySet().retainAll(reported);
    return out;
  }

  private boolean orphanDue(String handle, Instant now) {
    Instant first = unknownSince.get(handle);
    if (first == null) {
      if (unknownSince.size() < TRACKED_MAX) {
        unknownSince.put(handle, now);
      }
      return false;
    }
    return !now.isBefore(first.plus(settings.orphanGrace()));
  }

  private boolean isStale(ChunkInfo chunk, String serverId, ReplicaReport r,
      Map<String, ChunkserverRecord> live, int target, Instant now, CopyTargets copying) {
    boolean member = chunk.getReplicasList().stream()
        .anyMatch(l -> l.getServerId().equals(serverId));
    boolean behind = r.version() < chunk.getVersion() || !member;
    if (!behind || r.version() > chunk.getVersion() || copying.isTarget(chunk.getHandle(), serverId)
        || LeaseCheck.mayHold(chunk, now, settings.leaseMargin())) {
      return false;
    }
    List<String> replicas = chunk.getReplicasList().stream().map(ChunkLocation::getServerId)
        .toList();
    int good = ReplicaHealth.goodCount(chunk.getHandle(), chunk.getVersion(),
        chunk.getCommittedLength(), replicas, live);
    if (good < Math.max(1, target)) {
      return false;
    }
    LOG.debug("{} stale replica found chunk={} server={} good={}", nodeId, chunk.getHandle(),
        serverId, good);
    return true;
  }

  /** Whether a copy of a chunk to a server is in flight. */
  @FunctionalInterface
  interface CopyTargets {
    boolean isTarget(String handle, String serverId);
  }
}
