package io.gfs.master.service;

import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ChunkserverRegistry;
import io.gfs.master.registry.ReplicaReport;
import io.gfs.master.replication.ReplicaHealth;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds, for a chunk whose lease is being renewed, a server that should rejoin its replicas.
 *
 * <p>Re-replication copies only chunks without a lease that may be in force, so a chunk that is
 * appended to without pause would stay short of replicas for as long as the appends last — after
 * a rolling restart of chunkservers, for hours. A live server that still reports a copy of such
 * a chunk (it was there before it restarted or missed a commit) is the natural new replica: the
 * primary, which alone can pause the chunk's writes, gives it a full copy and claims the lease
 * again naming it (ClaimPrimaryRequest.rejoined). One hint per chunk per {@code retryAfter}, so a
 * failing copy does not pause the chunk's writes at every renewal. Leader-local, bounded memory.
 */
final class RejoinHints {
  private static final int TRACKED_MAX = 10_000;

  private final ChunkserverRegistry registry;
  private final InstantSource clock;
  private final Duration retryAfter;
  private final Map<String, Instant> hintedAt = new LinkedHashMap<>();

  RejoinHints(ChunkserverRegistry registry, InstantSource clock, Duration retryAfter) {
    this.registry = registry;
    this.clock = clock;
    this.retryAfter = retryAfter;
  }

  /** The server to bring back into {@code chunk}'s replicas now, if any. */
  synchronized Optional<ChunkLocation> candidate(ChunkInfo chunk) {
    if (chunk.getSealed() || chunk.getPrimary().isEmpty()) {
      return Optional.empty();
    }
    List<ChunkserverRecord> live = registry.live();
    Set<String> members = chunk.getReplicasList().stream().map(ChunkLocation::getServerId)
        .collect(Collectors.toSet());
    long liveMembers = live.stream().filter(r -> members.contains(r.serverId())).count();
    if (liveMembers >= ReplicaHealth.target(live.size())) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Instant last = hintedAt.get(chunk.getHandle());
    if (last != null && now.isBefore(last.plus(retryAfter))) {
      return Optional.empty();
    }
    for (ChunkserverRecord r : live) {
      ReplicaReport report = r.replicas().get(chunk.getHandle());
      if (members.contains(r.serverId()) || report == null || report.version() < 1
          || report.version() > chunk.getVersion()) {
        continue; // version 0 is a copy being built; a newer version is not ours to judge
      }
      hintedAt.remove(chunk.getHandle());
      hintedAt.put(chunk.getHandle(), now);
      if (hintedAt.size() > TRACKED_MAX) {
        hintedAt.remove(hintedAt.keySet().iterator().next());
      }
      return Optional.of(ChunkViews.location(r));
    }
    return Optional.empty();
  }
}
