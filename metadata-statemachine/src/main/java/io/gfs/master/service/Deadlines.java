package io.gfs.master.service;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Fails futures that are not done within one fixed timeout. A periodic sweep looks at the oldest
 * entries instead of arming a timer task per request: each armed task became the head of the
 * timer's queue and woke its thread, twice per request on an otherwise idle timer. All entries
 * share the timeout, so the queue is in deadline order and a sweep stops at the first entry
 * that is neither done nor due; done entries are dropped as they reach the head. A future fails
 * at most one sweep period after its deadline. Thread-safe.
 */
final class Deadlines {
  private record Entry(long dueNanos, CompletableFuture<?> future,
      Supplier<? extends Throwable> failure) {
  }

  private final long timeoutNanos;
  private final LongSupplier nanoClock;
  private final Queue<Entry> pending = new ConcurrentLinkedQueue<>();

  Deadlines(Duration timeout, LongSupplier nanoClock) {
    this.timeoutNanos = timeout.toNanos();
    this.nanoClock = nanoClock;
  }

  /** How often to sweep: a tenth of the timeout, at most 50 ms, at least 1 ms. */
  static Duration sweepPeriod(Duration timeout) {
    long ms = Math.max(1, Math.min(50, timeout.toMillis() / 10));
    return Duration.ofMillis(ms);
  }

  /** Sweeps every {@link #sweepPeriod} on {@code timer} until the timer is shut down. */
  Deadlines start(ScheduledExecutorService timer) {
    long period = sweepPeriod(Duration.ofNanos(timeoutNanos)).toMillis();
    timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Fails {@code future} with {@code failure} unless it is done within the timeout. */
  void add(CompletableFuture<?> future, Supplier<? extends Throwable> failure) {
    if (!future.isDone()) {
      pending.add(new Entry(nanoClock.getAsLong() + timeoutNanos, future, failure));
    }
  }

  /** Fails the entries past their deadline and forgets the done ones at the head. */
  void sweep() {
    long now = nanoClock.getAsLong();
    Entry e;
    while ((e = pending.peek()) != null) {
      if (!e.future().isDone() && e.dueNanos() - now > 0) {
        return;
      }
      pending.poll();
      if (!e.future().isDone()) {
        e.future().completeExceptionally(e.failure().get());
      }
    }
  }

  /** Entries not yet dropped (tests). */
  int size() {
    return pending.size();
  }
}
