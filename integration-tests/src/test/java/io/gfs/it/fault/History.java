package io.gfs.it.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * A concurrent log of operations: {@link #invoke} when a client starts one, {@link #complete} when
 * it ends. Bounded: a workload never records more than {@code capacity} operations.
 */
final class History {
  private final int capacity;
  private final List<Op> ops = new ArrayList<>(); // guarded by this

  History(int capacity) {
    this.capacity = capacity;
  }

  /** Records the start of {@code op}; returns its index for {@link #complete}. */
  synchronized int invoke(Op op, long nanos) {
    if (ops.size() >= capacity) {
      throw new IllegalStateException("history is full at " + capacity + " operations");
    }
    ops.add(op.invokedAt(nanos));
    return ops.size() - 1;
  }

  synchronized void complete(int index, Op.Outcome outcome, long offset, byte[] data, long nanos,
      String error) {
    ops.set(index, ops.get(index).completed(outcome, offset, data, nanos, error));
  }

  /** A copy; an operation still in flight is returned as unknown. */
  synchronized List<Op> ops() {
    List<Op> out = new ArrayList<>(ops.size());
    for (Op op : ops) {
      out.add(op.completeNanos() == 0
          ? op.completed(Op.Outcome.UNKNOWN, 0, null, 0, "in flight at the end") : op);
    }
    return out;
  }
}
