package io.gfs.master.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The short safe mode after this master becomes leader (RATIS.md "Soft state after a leader
 * change"): no re-replication and no garbage collection until every live chunkserver has
 * reported to this master since it became leader, or {@code max} has passed. Keyed by the Raft
 * term, so a new term starts a new safe mode. Thread-safe (heartbeat threads and the planner).
 */
public final class SafeMode {

  private final Duration max;
  // Guarded by this.
  private long term = -1;
  private Instant since = Instant.EPOCH;
  private final Set<String> heard = new HashSet<>();
  private boolean left;

  public SafeMode(Duration max) {
    this.max = max;
  }

  /** Notes that this master leads in {@code term}; a new term restarts safe mode. */
  public synchronized void leading(long term, Instant now) {
    if (term != this.term) {
      this.term = term;
      this.since = now;
      this.heard.clear();
      this.left = false;
    }
  }

  /** A chunkserver reported to this master while it leads in {@code term}. */
  public synchronized void heard(String serverId, long term, Instant now) {
    leading(term, now);
    heard.add(serverId);
  }

  /** True while safe mode lasts; once left it stays left for the term. */
  public synchronized boolean active(Collection<String> liveServers, Instant now) {
    if (!left && (heard.containsAll(liveServers) || !now.isBefore(since.plus(max)))) {
      left = true;
    }
    return !left;
  }

  /** True once left (no re-evaluation: for status answers). */
  public synchronized boolean left() {
    return left;
  }

  /** When this master became leader (in the current term). */
  public synchronized Instant since() {
    return since;
  }
}
