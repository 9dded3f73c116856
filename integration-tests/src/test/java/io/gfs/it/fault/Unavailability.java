package io.gfs.it.fault;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Client-visible unavailability, from a history. */
final class Unavailability {
  private Unavailability() {
  }

  /** Which operations show that a faulty component works again. */
  enum Probe {
    /** Metadata operations always need a master leader. */
    MASTER,
    /** Appends need a primary and a write quorum of replicas. */
    REPLICAS;

    boolean shows(Op op) {
      return this == REPLICAS ? op.type() == Op.Type.APPEND
          : op.type() == Op.Type.CREATE || op.type() == Op.Type.RENAME
              || op.type() == Op.Type.DELETE;
    }
  }

  /**
   * Seconds from {@code faultNanos} to the completion of the first operation of the probe's kind
   * invoked after it and acknowledged; empty when none yet.
   */
  static Optional<Double> recoverySeconds(List<Op> ops, long faultNanos, Probe probe) {
    long first = Long.MAX_VALUE;
    for (Op op : ops) {
      if (probe.shows(op) && op.outcome() == Op.Outcome.OK && op.invokeNanos() >= faultNanos) {
        first = Math.min(first, op.completeNanos());
      }
    }
    return first == Long.MAX_VALUE ? Optional.empty()
        : Optional.of((first - faultNanos) / 1e9);
  }

  /**
   * The longest recovery after any fault; with no fault, the longest time between two
   * acknowledged operations of any kind.
   */
  static double maxGapSeconds(List<Op> ops, List<Long> faults, Probe probe) {
    double max = 0;
    if (!faults.isEmpty()) {
      for (long f : faults) {
        max = Math.max(max, recoverySeconds(ops, f, probe).orElse(Double.NaN));
      }
      return max;
    }
    List<Long> done = new ArrayList<>();
    for (Op op : ops) {
      if (op.outcome() == Op.Outcome.OK) {
        done.add(op.completeNanos());
      }
    }
    Collections.sort(done);
    for (int i = 1; i < done.size(); i++) {
      max = Math.max(max, (done.get(i) - done.get(i - 1)) / 1e9);
    }
    return max;
  }

  /** The median of the values. */
  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n == 0 ? 0 : n % 2 == 1 ? sorted.get(n / 2)
        : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
