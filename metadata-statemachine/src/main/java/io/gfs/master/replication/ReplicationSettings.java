package io.gfs.master.replication;

import java.time.Duration;

/**
 * Timing and throttles of the leader's background replica work (re-replication and garbage
 * collection), validated once.
 *
 * @param period how often the leader plans re-replication
 * @param copyTimeout an in-flight copy that has not shown up in the target's heartbeat by then
 *     is given up (and tried elsewhere)
 * @param safeModeMax the longest safe mode after becoming leader, even if some live chunkserver
 *     has not heartbeated yet
 * @param orphanGrace a reported handle must be unknown to this leader for this long before it is
 *     deleted (its AllocateChunk may still be in flight)
 * @param leaseMargin how long after a lease's recorded expiry it may still be in force (clock
 *     skew between masters)
 * @param copiesPerTargetMax copies in flight to one chunkserver at a time
 * @param copiesMax copies in flight in the whole cluster at a time
 */
public record ReplicationSettings(
    Duration period,
    Duration copyTimeout,
    Duration safeModeMax,
    Duration orphanGrace,
    Duration leaseMargin,
    int copiesPerTargetMax,
    int copiesMax) {

  public ReplicationSettings {
    for (Duration d : new Duration[] {period, copyTimeout, safeModeMax, orphanGrace}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("replication timings must be positive, got " + d);
      }
    }
    if (leaseMargin == null || leaseMargin.isNegative()) {
      throw new IllegalArgumentException("lease margin must not be negative, got " + leaseMargin);
    }
    if (copiesPerTargetMax < 1 || copiesMax < copiesPerTargetMax) {
      throw new IllegalArgumentException("copy throttles must be 1 <= per target ("
          + copiesPerTargetMax + ") <= overall (" + copiesMax + ")");
    }
  }

  /** Defaults derived from the chunkserver heartbeat expiry and the lease margin. */
  public static ReplicationSettings defaults(Duration heartbeatExpiry, Duration leaseMargin) {
    Duration copyTimeout = heartbeatExpiry.multipliedBy(4);
    return new ReplicationSettings(Duration.ofSeconds(1),
        copyTimeout.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : copyTimeout,
        heartbeatExpiry, heartbeatExpiry.multipliedBy(2), leaseMargin, 2, 10);
  }
}
