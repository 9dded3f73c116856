package io.gfs.master.placement;

import io.gfs.master.MasterException;
import io.gfs.master.registry.ChunkserverRecord;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Chooses replicas for a new chunk: distinct live chunkservers with room for a whole chunk,
 * least loaded first (fewest replicas, then most free space), ties broken at random so equal
 * servers share new chunks. Fewer than the target only when fewer qualify, with a warning.
 */
public final class PlacementPolicy {

  public static final int REPLICATION_TARGET = 3;

  private final RandomGenerator random;

  public PlacementPolicy(RandomGenerator random) {
    this.random = random;
  }

  /** @param live servers that heartbeated within the expiry */
  public Placement choose(List<ChunkserverRecord> live, long chunkSizeBytes) {
    List<Candidate> candidates = new ArrayList<>();
    for (ChunkserverRecord r : live) {
      if (r.usage().freeBytes() >= chunkSizeBytes) {
        candidates.add(new Candidate(r, random.nextLong()));
      }
    }
    if (candidates.isEmpty()) {
      throw new MasterException(Status.Code.RESOURCE_EXHAUSTED, live.isEmpty()
          ? "no live chunkserver: cannot place a new chunk"
          : "no live chunkserver has " + chunkSizeBytes + " bytes free for a new chunk ("
              + live.size() + " live)");
    }
    candidates.sort(Comparator
        .comparingInt((Candidate c) -> c.record.replicas().size())
        .thenComparing(c -> -c.record.usage().freeBytes())
        .thenComparingLong(c -> c.tieBreak));
    List<String> chosen = candidates.stream()
        .limit(REPLICATION_TARGET)
        .map(c -> c.record.serverId())
        .toList();
    String warning = chosen.size() < REPLICATION_TARGET
        ? "only " + chosen.size() + " of " + REPLICATION_TARGET
            + " replicas: fewer live chunkservers with free space exist"
        : "";
    return new Placement(chosen, warning);
  }

  private record Candidate(ChunkserverRecord record, long tieBreak) {
  }
}
