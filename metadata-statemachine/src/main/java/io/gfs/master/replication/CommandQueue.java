package io.gfs.master.replication;

import io.gfs.proto.ChunkCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Commands waiting for a chunkserver's next heartbeat reply, at most {@code perServerMax} each
 * (more are dropped: the planner asks again). Thread-safe.
 */
final class CommandQueue {

  private final int perServerMax;
  private final Map<String, List<ChunkCommand>> pending = new HashMap<>(); // guarded by this

  CommandQueue(int perServerMax) {
    this.perServerMax = perServerMax;
  }

  synchronized boolean offer(String serverId, ChunkCommand command) {
    List<ChunkCommand> list = pending.computeIfAbsent(serverId, s -> new ArrayList<>());
    if (list.size() >= perServerMax) {
      return false;
    }
    list.add(command);
    return true;
  }

  /** Takes the commands of {@code term} for this server (older terms' commands are dropped). */
  synchronized List<ChunkCommand> drain(String serverId, long term) {
    List<ChunkCommand> list = pending.remove(serverId);
    if (list == null) {
      return List.of();
    }
    return list.stream().filter(c -> c.getTerm() == term).toList();
  }

  synchronized void clear() {
    pending.clear();
  }
}
