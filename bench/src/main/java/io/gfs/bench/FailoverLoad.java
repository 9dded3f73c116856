package io.gfs.bench;

import io.gfs.client.GfsClient;
import io.gfs.client.GfsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The steady W3-style load of W8: {@code threads} threads, each with its own client, creating
 * files one after another. Records when each create succeeded and which were acknowledged.
 */
final class FailoverLoad {
  private final String masters;
  private final String dir;
  private final int threads;
  private final List<Thread> workers = new ArrayList<>();
  private final List<String> acknowledged = new ArrayList<>();
  private final AtomicLong failures = new AtomicLong();
  private long[] successNanos = new long[1 << 16];
  private int successCount;
  private volatile boolean stopping;

  FailoverLoad(String masters, String dir, int threads) {
    this.masters = masters;
    this.dir = dir;
    this.threads = threads;
  }

  void start() {
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> work(thread), "bench-failover-" + t);
      workers.add(w);
      w.start();
    }
  }

  private void work(int thread) {
    try (GfsClient c = Clients.client(masters)) {
      for (int i = 0; !stopping; i++) {
        String path = String.format("%s/t%d-%07d", dir, thread, i);
        try {
          c.createFile(path);
          succeeded(path, System.nanoTime());
        } catch (GfsException e) {
          failures.incrementAndGet(); // unknown outcome or no leader in time: not acknowledged
        }
      }
    }
  }

  private synchronized void succeeded(String path, long nanos) {
    if (successCount == successNanos.length) {
      successNanos = Arrays.copyOf(successNanos, successCount * 2);
    }
    successNanos[successCount++] = nanos;
    acknowledged.add(path);
    notifyAll();
  }

  /**
   * Waits until the load has run for a second past the first success after {@code killedAt},
   * then returns the longest gap (seconds) between successes from the last one before the kill.
   */
  synchronized double awaitResumedAndGap(long killedAt, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      long[] s = Arrays.copyOf(successNanos, successCount);
      Arrays.sort(s);
      int after = firstAfter(s, killedAt);
      if (after < s.length && s[s.length - 1] - s[after] > 1_000_000_000L) {
        long longest = 0;
        for (int i = Math.max(1, after); i < s.length; i++) {
          longest = Math.max(longest, s[i] - s[i - 1]);
        }
        return longest / 1e9;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("load did not resume within " + limit);
      }
      wait(Math.max(1, Math.min(200, left / 1_000_000)));
    }
  }

  private static int firstAfter(long[] sorted, long t) {
    int i = Arrays.binarySearch(sorted, t);
    return i >= 0 ? i : -i - 1;
  }

  synchronized List<String> acknowledged() {
    return new ArrayList<>(acknowledged);
  }

  long failures() {
    return failures.get();
  }

  void stop() throws InterruptedException {
    stopping = true;
    for (Thread w : workers) {
      w.join(120_000);
    }
  }
}
