package io.gfs.master.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's in-flight copies, and targets that recently failed a copy of a chunk (not chosen
 * again for it for a while, so a retry goes elsewhere when it can). Not thread-safe: used only by
 * the planner thread.
 */
final class CopyTracker {
  private static final int FAILURES_MAX = 10_000;

  private final Map<String, List<InFlightCopy>> byHandle = new HashMap<>();
  private final Map<String, Integer> perTarget = new HashMap<>();
  private final Map<String, Instant> failedUntil = new HashMap<>(); // handle + "/" + target
  private int total;

  void add(InFlightCopy c) {
    byHandle.computeIfAbsent(c.handle(), h -> new ArrayList<>()).add(c);
    perTarget.merge(c.target(), 1, Integer::sum);
    total++;
  }

  void remove(InFlightCopy c) {
    List<InFlightCopy> list = byHandle.get(c.handle());
    if (list == null || !list.remove(c)) {
      return;
    }
    if (list.isEmpty()) {
      byHandle.remove(c.handle());
    }
    perTarget.computeIfPresent(c.target(), (t, n) -> n <= 1 ? null : n - 1);
    total--;
  }

  /** Gives up on a copy and keeps its target off this chunk for {@code backoff}. */
  void fail(InFlightCopy c, Instant now, Duration backoff) {
    remove(c);
    if (failedUntil.size() >= FAILURES_MAX) {
      failedUntil.values().removeIf(until -> !until.isAfter(now));
    }
    if (failedUntil.size() < FAILURES_MAX) {
      failedUntil.put(c.handle() + "/" + c.target(), now.plus(backoff));
    }
  }

  boolean recentlyFailed(String handle, String target, Instant now) {
    Instant until = failedUntil.get(handle + "/" + target);
    return until != null && until.isAfter(now);
  }

  List<InFlightCopy> forChunk(String handle) {
    return byHandle.getOrDefault(handle, List.of());
  }

  boolean isTarget(String handle, String server) {
    for (InFlightCopy c : forChunk(handle)) {
      if (c.target().equals(server)) {
        return true;
      }
    }
    return false;
  }

  int toTarget(String server) {
    return perTarget.getOrDefault(server, 0);
  }

  int total() {
    return total;
  }

  List<InFlightCopy> all() {
    List<InFlightCopy> out = new ArrayList<>(total);
    byHandle.values().forEach(out::addAll);
    return out;
  }

  void clear() {
    byHandle.clear();
    perTarget.clear();
    failedUntil.clear();
    total = 0;
  }
}
