package io.gfs.chunkserver.dataplane;

import java.time.Duration;

/**
 * Counts the data-plane requests being served across all connections and tells when new ones
 * are to be refused, so a stopping server can let the requests it accepted (appends in their
 * two-phase commit) finish before it tears down connections. Thread-safe.
 */
final class RequestGate {
  private boolean closed; // guarded by this
  private int active; // guarded by this

  /** True once closed: new requests are to be refused. */
  synchronized boolean isClosed() {
    return closed;
  }

  /** A request was accepted (counted even when accepted just as the gate closed). */
  synchronized void enter() {
    active++;
  }

  /** An admitted request was answered or dropped (exactly once per admitted request). */
  synchronized void exit() {
    if (active <= 0) {
      throw new IllegalStateException("request gate exited more often than entered");
    }
    active--;
    if (active == 0) {
      notifyAll();
    }
  }

  synchronized void close() {
    closed = true;
  }

  synchronized int active() {
    return active;
  }

  /** Waits until no admitted request is left or {@code max} passed; true when idle. */
  synchronized boolean awaitIdle(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (active > 0) {
      long leftNanos = deadline - System.nanoTime();
      if (leftNanos <= 0) {
        return false;
      }
      wait(Math.max(1, leftNanos / 1_000_000));
    }
    return true;
  }
}
