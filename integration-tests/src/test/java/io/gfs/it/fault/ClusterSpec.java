package io.gfs.it.fault;

import java.time.Duration;

/**
 * The shape of a {@link ProcessCluster}: 3 masters and {@code chunkservers} chunkservers, small
 * chunks and short leases so faults show within seconds.
 */
record ClusterSpec(int chunkservers, long chunkSizeBytes, Duration leaseDuration,
    Duration heartbeatExpiry, Duration heartbeatInterval, Duration electionTimeoutMin,
    Duration electionTimeoutMax, boolean namespaces) {

  static ClusterSpec defaults() {
    return new ClusterSpec(3, 64 * 1024, Duration.ofSeconds(6), Duration.ofSeconds(8),
        Duration.ofMillis(500), Duration.ofMillis(1500), Duration.ofMillis(3000), false);
  }

  ClusterSpec withNamespaces() {
    return new ClusterSpec(chunkservers, chunkSizeBytes, leaseDuration, heartbeatExpiry,
        heartbeatInterval, electionTimeoutMin, electionTimeoutMax, true);
  }
}
