package io.gfs.chunkserver.primary;

import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Small adapters between gRPC async stubs and CompletableFuture. */
final class RpcFutures {
  private RpcFutures() {}

  static <T> CompletableFuture<T> unary(Consumer<StreamObserver<T>> call) {
    CompletableFuture<T> f = new CompletableFuture<>();
    StreamObserver<T> observer = new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        f.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        f.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        f.completeExceptionally(new IllegalStateException("call ended without a response"));
      }
    };
    try {
      call.accept(observer);
    } catch (RuntimeException e) {
      f.completeExceptionally(e); // e.g. the channel is already closed
    }
    return f;
  }

  /** Completes (normally) once every future has completed, whichever way. */
  static CompletableFuture<Void> settled(List<? extends CompletableFuture<?>> futures) {
    return CompletableFuture.allOf(futures.stream()
        .map(f -> f.handle((v, e) -> null))
        .toArray(CompletableFuture[]::new));
  }

  /**
   * Completes (normally) once {@code needed} of the futures have succeeded, or else once every
   * one has completed.
   */
  static CompletableFuture<Void> succeededOrSettled(
      List<? extends CompletableFuture<?>> futures, int needed) {
    CompletableFuture<Void> out = new CompletableFuture<>();
    if (needed <= 0) {
      out.complete(null);
    }
    AtomicInteger ok = new AtomicInteger();
    for (CompletableFuture<?> f : futures) {
      f.thenRun(() -> {
        if (ok.incrementAndGet() >= needed) {
          out.complete(null);
        }
      });
    }
    settled(futures).thenRun(() -> out.complete(null));
    return out;
  }

  static boolean succeeded(CompletableFuture<?> f) {
    return f.isDone() && !f.isCompletedExceptionally();
  }
}
