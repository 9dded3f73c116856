package io.gfs.master.replication;

import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.statemachine.MasterState;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Chooses re-replication copies (GFS §4.3): under-replicated chunks most endangered first
 * (fewest good replicas), only chunks with no lease that may be in force, a source among the
 * good replicas and a target among live servers with room that hold no good copy, within the
 * throttles. Not thread-safe: the planner thread only.
 */
final class CopyPlanner {
  static final int SCAN_MAX = 10_000;

  /** One planned copy. */
  record Plan(ChunkInfo chunk, ChunkserverRecord source, ChunkserverRecord target, int good) {
  }

  private final ReplicationSettings settings;
  private final long chunkSizeBytes;
  private final RandomGenerator random;

  CopyPlanner(ReplicationSettings settings, long chunkSizeBytes, RandomGenerator random) {
    this.settings = settings;
    this.chunkSizeBytes = chunkSizeBytes;
    this.random = random;
  }

  List<Plan> plan(MasterState state, Map<String, ChunkserverRecord> live, CopyTracker tracker,
      Instant now) {
    int target = ReplicaHealth.target(live.size());
    List<Plan> out = new ArrayList<>();
    if (target == 0 || tracker.total() >= settings.copiesMax()) {
      return out;
    }
    List<Ranked> ranked = new ArrayList<>();
    // Leased chunks are not copied (below); counted as the status counts them, a busy one
    // whose replicas' heartbeats trail its commits does not take one of the scan's places.
    for (ChunkInfo c : state.chunksWhere(
        c -> ReplicaHealth.goodCount(c, live, now, settings.leaseMargin()) < target, SCAN_MAX)) {
      List<String> good = ReplicaHealth.good(c.getHandle(), c.getVersion(),
          c.getCommittedLength(), ids(c), live);
      ranked.add(new Ranked(c, good));
    }
    ranked.sort(Comparator.comparingInt((Ranked r) -> r.good.size())
        .thenComparing(r -> r.chunk.getHandle()));
    // Planned in this round, not yet in the tracker: counts toward the throttles.
    CopyTracker planned = new CopyTracker();
    for (Ranked r : ranked) {
      if (tracker.total() + planned.total() >= settings.copiesMax()) {
        break;
      }
      ChunkInfo c = r.chunk;
      if (r.good.isEmpty() || LeaseCheck.mayHold(c, now, settings.leaseMargin())) {
        continue;
      }
      int needed = target - r.good.size() - tracker.forChunk(c.getHandle()).size();
      for (int i = 0; i < needed
          && tracker.total() + planned.total() < settings.copiesMax(); i++) {
        Optional<ChunkserverRecord> to = chooseTarget(c.getHandle(), r.good, live, tracker,
            planned, now);
        if (to.isEmpty()) {
          break;
        }
        ChunkserverRecord from = live.get(r.good.get(random.nextInt(r.good.size())));
        planned.add(new InFlightCopy(c.getHandle(), c.getVersion(), from.serverId(),
            to.get().serverId(), c.getLeaseExpiryMs(), now));
        out.add(new Plan(c, from, to.get(), r.good.size()));
      }
    }
    return out;
  }

  private Optional<ChunkserverRecord> chooseTarget(String handle, List<String> good,
      Map<String, ChunkserverRecord> live, CopyTracker tracker, CopyTracker planned,
      Instant now) {
    List<Candidate> candidates = new ArrayList<>();
    for (ChunkserverRecord s : live.values()) {
      String id = s.serverId();
      int load = tracker.toTarget(id) + planned.toTarget(id);
      if (good.contains(id) || tracker.isTarget(handle, id) || planned.isTarget(handle, id)
          || tracker.recentlyFailed(handle, id, now) || load >= settings.copiesPerTargetMax()
          || s.usage().freeBytes() < chunkSizeBytes) {
        continue;
      }
      candidates.add(new Candidate(s, load, random.nextLong()));
    }
    return candidates.stream()
        .min(Comparator.comparingInt((Candidate c) -> c.load)
            .thenComparingInt(c -> c.record.replicas().size())
            .thenComparingLong(c -> -c.record.usage().freeBytes())
            .thenComparingLong(c -> c.tieBreak))
        .map(c -> c.record);
  }

  static List<String> ids(ChunkInfo c) {
    return c.getReplicasList().stream().map(ChunkLocation::getServerId).toList();
  }

  private record Ranked(ChunkInfo chunk, List<String> good) {
  }

  private record Candidate(ChunkserverRecord record, int load, long tieBreak) {
  }
}
