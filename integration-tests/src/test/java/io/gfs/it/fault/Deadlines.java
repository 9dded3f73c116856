package io.gfs.it.fault;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

/** Deadline polls: every wait is bounded, and a timeout says what was awaited. */
final class Deadlines {
  private static final long POLL_NANOS = Duration.ofMillis(200).toNanos();

  private Deadlines() {
  }

  static <T> T await(String what, Duration timeout, Supplier<Optional<T>> probe,
      Supplier<String> diagnostics) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> v = probe.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n"
            + diagnostics.get());
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
