package io.gfs.bench;

import io.gfs.client.GfsClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@code count} operations on {@code threads} threads as BENCHMARKS.md defines: each thread
 * has its own client, connected before the clock starts; operation i is done by thread i mod T;
 * all start on a latch; every operation is timed.
 */
final class Parallel {
  interface Op<C> {
    void run(C client, int i) throws Exception;
  }

  /** A per-thread client of the harness's own making. */
  interface Factory<C> {
    C open() throws Exception;
  }

  /**
   * Result: operations per second and the per-operation latencies, sorted and in operation order
   * (index i is operation i).
   */
  record Result(double opsPerSecond, long[] sortedLatencyNanos, long[] latencyNanosInOrder) {
    Run toRun() {
      return Run.withLatencies(opsPerSecond, sortedLatencyNanos);
    }
  }

  private Parallel() {
  }

  /** With SDK clients, each connected with one cheap metadata call before the clock starts. */
  static Result run(String masters, int threads, int count, Op<GfsClient> op) throws Exception {
    return run(threads, count, () -> {
      GfsClient c = Clients.client(masters);
      c.exists("/");
      return c;
    }, op);
  }

  static <C extends AutoCloseable> Result run(int threads, int count, Factory<C> factory, Op<C> op)
      throws Exception {
    List<C> clients = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        clients.add(factory.open());
      }
      long[] latencies = new long[count];
      CountDownLatch start = new CountDownLatch(1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        C client = clients.get(t);
        Thread w = new Thread(() -> {
          try {
            start.await();
            for (int i = thread; i < count && failure.get() == null; i += threads) {
              long t0 = System.nanoTime();
              op.run(client, i);
              latencies[i] = System.nanoTime() - t0;
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }, "bench-worker-" + t);
        workers.add(w);
        w.start();
      }
      long t0 = System.nanoTime();
      start.countDown();
      for (Thread w : workers) {
        w.join();
      }
      long elapsed = System.nanoTime() - t0;
      if (failure.get() != null) {
        throw new IllegalStateException("workload failed: " + failure.get(), failure.get());
      }
      long[] inOrder = latencies.clone();
      Arrays.sort(latencies);
      return new Result(count / (elapsed / 1e9), latencies, inOrder);
    } finally {
      for (C c : clients) {
        c.close();
      }
    }
  }
}
