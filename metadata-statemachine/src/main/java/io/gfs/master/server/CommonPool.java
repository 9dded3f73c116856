package io.gfs.master.server;

import java.util.OptionalInt;
import java.util.concurrent.ForkJoinPool;

/**
 * The JVM's common fork-join pool, which Ratis uses through {@code CompletableFuture}'s
 * {@code *Async} methods without an executor: a follower's every append and the log worker's
 * completions. The JDK sizes the pool at CPUs - 1, and with a parallelism below 2
 * {@code CompletableFuture} does not use it at all but starts a new thread for every such task.
 * On a 2-CPU machine a follower started about two threads per create that way (measured: ~300
 * threads a second on each follower under one client's creates; raising the parallelism to 2 made
 * creates and deletes 20-25 % faster). {@link #ensureParallelism} raises it to 2 unless the
 * operator chose a value; it must run before anything in the JVM touches the pool, so the process
 * entry points call it first.
 */
public final class CommonPool {
  public static final String PARALLELISM_PROPERTY =
      "java.util.concurrent.ForkJoinPool.common.parallelism";
  /** The least parallelism at which {@code CompletableFuture} runs its tasks on the pool. */
  static final int MIN_PARALLELISM = 2;

  private CommonPool() {
  }

  /** Sets the pool's parallelism to 2 if it would be lower and nobody configured it. */
  public static void ensureParallelism() {
    parallelismToSet(System.getProperty(PARALLELISM_PROPERTY),
        Runtime.getRuntime().availableProcessors())
        .ifPresent(p -> System.setProperty(PARALLELISM_PROPERTY, Integer.toString(p)));
  }

  /** The parallelism to set, if any, given the configured value (or null) and the CPU count. */
  static OptionalInt parallelismToSet(String configured, int cpus) {
    return configured == null && cpus - 1 < MIN_PARALLELISM
        ? OptionalInt.of(MIN_PARALLELISM) : OptionalInt.empty();
  }

  /** The pool's parallelism as the JVM fixed it (the first use of the pool fixes it). */
  static int parallelism() {
    return ForkJoinPool.getCommonPoolParallelism();
  }

  /** Whether {@code CompletableFuture}'s default async tasks run on the pool (not a thread each). */
  static boolean pooled() {
    return parallelism() >= MIN_PARALLELISM;
  }
}
