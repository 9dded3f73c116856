package io.gfs.master.replication;

import io.gfs.master.placement.PlacementPolicy;
import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ReplicaReport;
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
