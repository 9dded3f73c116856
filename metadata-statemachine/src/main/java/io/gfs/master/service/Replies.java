package io.gfs.master.service;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** Completes a unary gRPC call from a future, on a named executor, never blocking. */
final class Replies {

  private final Executor executor;

  Replies(Executor executor) {
    this.executor = executor;
  }

  <T> void reply(StreamObserver<T> observer, Supplier<CompletableFuture<T>> action) {
    CompletableFuture<T> future;
    try {
      future = action.get();
    } catch (RuntimeException e) {
      observer.onError(StatusMapping.toStatus(e));
      return;
    }
    future.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        observer.onError(StatusMapping.toStatus(failure));
      } else {
        observer.onNext(value);
        observer.onCompleted();
      }
    }, executor);
  }
}
