package io.gfs.master.replication;

import io.gfs.master.chunks.Chunk;
import io.gfs.master.placement.PlacementPolicy;
import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ReplicaReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which replicas of a chunk are good: in the chunk's up-to-date replica set, live, and reported
 * in the server's latest heartbeat at the chunk's current version with at least the committed
 * length the master knows. Pure: decides on what it is given.
 */
public final class ReplicaHealth {

  private ReplicaHealth() {
  }

  /** How many good replicas a chunk should have with {@code liveServers} live chunkservers. */
  public static int target(int liveServers) {
    return Math.min(PlacementPolicy.REPLICATION_TARGET, liveServers);
  }

  /** @param live the live chunkservers by id */
  public static List<String> good(String handle, long version, long committedLength,
      List<String> replicas, Map<String, ChunkserverRecord> live) {
    List<String> out = new ArrayList<>(replicas.size());
    for (String server : replicas) {
      if (holdsGoodCopy(live.get(server), handle, version, committedLength)) {
        out.add(server);
      }
    }
    return out;
  }

  public static int goodCount(String handle, long version, long committedLength,
      List<String> replicas, Map<String, ChunkserverRecord> live) {
    int n = 0;
    for (String server : replicas) {
      if (holdsGoodCopy(live.get(server), handle, version, committedLength)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Good replicas of {@code c} when counting under-replicated chunks. While the chunk's lease may
   * be in force, appends go on and a member's reported length trails the master's by up to a
   * heartbeat interval (the primary reports each commit before the replica's next heartbeat
   * does), so the length is not asked for then: the primary itself fences a replica that misses
   * a commit (reports it stale and the master drops it from the set). Without a lease, a member
   * short of the committed length lacks commits and is not good.
   */
  static int goodCount(Chunk c, Map<String, ChunkserverRecord> live, Instant now,
      Duration leaseMargin) {
    long required = LeaseCheck.mayHold(c.primary(), c.leaseExpiryMs(), now, leaseMargin)
        ? 0 : c.committedLength();
    return goodCount(c.handle(), c.version(), required, c.replicas(), live);
  }

  /** The server's latest report has the chunk at {@code version} and at least that length. */
  public static boolean holdsGoodCopy(ChunkserverRecord server, String handle, long version,
      long committedLength) {
    if (server == null) {
      return false;
    }
    ReplicaReport r = server.replicas().get(handle);
    return r != null && r.version() == version && r.committedLength() >= committedLength;
  }
}
