package io.gfs.chunkserver.server;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named, bounded thread pools (STYLE: concurrency). */
final class NamedThreads {
  private NamedThreads() {}

  static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static ExecutorService fixed(String prefix, int threads) {
    return Executors.newFixedThreadPool(threads, factory(prefix));
  }

  static ScheduledExecutorService scheduled(String prefix, int threads) {
    return Executors.newScheduledThreadPool(threads, factory(prefix));
  }
}
