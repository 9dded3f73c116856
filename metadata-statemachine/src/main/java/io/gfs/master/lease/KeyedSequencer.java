package io.gfs.master.lease;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs asynchronous tasks one at a time per key (here: per chunk handle), so two lease
 * decisions for one chunk never race each other into the log.
 */
public final class KeyedSequencer {

  private final ConcurrentHashMap<String, CompletableFuture<?>> tails = new ConcurrentHashMap<>();
  private final Executor executor;

  public KeyedSequencer(Executor executor) {
    this.executor = executor;
  }

  public <T> CompletableFuture<T> run(String key, Supplier<CompletableFuture<T>> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<?> tail = tails.compute(key, (k, previous) -> {
      CompletableFuture<?> start = previous == null
          ? CompletableFuture.completedFuture(null) : previous;
      return start.handleAsync((v, e) -> null, executor)
          .thenCompose(ignored -> {
            CompletableFuture<T> f;
            try {
              f = task.get();
            } catch (RuntimeException e) {
              f = CompletableFuture.failedFuture(e);
            }
            return f.whenComplete((v, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
              } else {
                result.complete(v);
              }
            }).handle((v, e) -> null);
          });
    });
    tail.whenComplete((v, e) -> tails.remove(key, tail));
    return result;
  }
}
