package io.gfs.chunkserver.primary;

import java.time.Duration;

/**
 * Timing of the primary's work. {@code replicaDeadline} bounds every call to one secondary
 * (a whole stage, one commit); {@code leaseSafetyMargin} is subtracted from a lease's expiry to
 * allow for clock skew with the master; a lease is renewed when less than {@code renewBefore} is
 * left and writes continue.
 */
public record PrimarySettings(
    Duration replicaDeadline,
    Duration masterDeadline,
    Duration leaseSafetyMargin,
    Duration renewBefore,
    Duration commitReportInterval) {

  public PrimarySettings {
    for (Duration d : new Duration[] {replicaDeadline, masterDeadline, leaseSafetyMargin,
        renewBefore, commitReportInterval}) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("primary timings must be non-negative");
      }
    }
  }

  public static PrimarySettings defaults() {
    return new PrimarySettings(Duration.ofSeconds(10), Duration.ofSeconds(5),
        Duration.ofSeconds(2), Duration.ofSeconds(20), Duration.ofMillis(200));
  }
}
