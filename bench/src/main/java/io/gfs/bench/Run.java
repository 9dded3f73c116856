package io.gfs.bench;

/**
 * One measured run of one workload: its value in the workload's unit, and the nearest-rank
 * p50/p99 operation latencies in milliseconds (NaN where a workload has no per-op latency).
 */
record Run(double value, double p50Ms, double p99Ms, String note) {
  static Run of(double value) {
    return new Run(value, Double.NaN, Double.NaN, "");
  }

  static Run withLatencies(double value, long[] sortedNanos) {
    return new Run(value, Stats.percentile(sortedNanos, 50) / 1e6,
        Stats.percentile(sortedNanos, 99) / 1e6, "");
  }
}
