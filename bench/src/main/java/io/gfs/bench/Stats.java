package io.gfs.bench;

import java.util.Arrays;
import java.util.List;

/** Medians, ranges and nearest-rank percentiles. */
final class Stats {
  private Stats() {
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Index of the run whose value is the median (the lower middle one for an even count). */
  static int medianIndex(List<Double> values) {
    Integer[] idx = new Integer[values.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Double.compare(values.get(a), values.get(b)));
    return idx.length == 0 ? -1 : idx[(idx.length - 1) / 2];
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** Nearest-rank percentile (p in (0, 100]) of latencies in nanoseconds; NaN when empty. */
  static double percentile(long[] sortedNanos, double p) {
    if (sortedNanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
    return sortedNanos[Math.max(0, Math.min(sortedNanos.length, rank) - 1)];
  }
}
