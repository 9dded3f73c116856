package io.gfs.it.fault;

import java.time.Duration;

/**
 * How much a {@link Workload} does: {@code clients} concurrent SDK clients, each doing at most
 * {@code opsPerClient} operations and stopping at {@code durationMax} at the latest, pausing
 * {@code thinkTime} between operations. Percentages pick the operation; the rest are appends.
 */
record WorkloadSpec(int clients, int files, int opsPerClient, Duration durationMax,
    Duration thinkTime, int readPercent, int metaPercent, int payloadBytesMax,
    Duration operationTimeout, Duration attemptTimeout) {

  static WorkloadSpec defaults() {
    return new WorkloadSpec(4, 3, 100_000, Duration.ofMinutes(3), Duration.ofMillis(15), 15, 10,
        1500, Duration.ofSeconds(20), Duration.ofSeconds(2));
  }

  WorkloadSpec withClients(int n) {
    return new WorkloadSpec(n, files, opsPerClient, durationMax, thinkTime, readPercent,
        metaPercent, payloadBytesMax, operationTimeout, attemptTimeout);
  }

  WorkloadSpec withOperationTimeout(Duration timeout) {
    return new WorkloadSpec(clients, files, opsPerClient, durationMax, thinkTime, readPercent,
        metaPercent, payloadBytesMax, timeout, attemptTimeout);
  }

  String appendPath(int file) {
    return "/w/log" + file;
  }

  static final String META_DIR = "/meta";
}
