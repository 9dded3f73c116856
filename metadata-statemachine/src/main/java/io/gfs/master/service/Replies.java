package io.gfs.master.service;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Completes a unary gRPC call from a future, never blocking, on the thread that completes the
 * future: a pool thread of {@link RaftGateway} or the handler's own thread, so the reply costs
 * no extra thread hop. It only hands the reply to gRPC.
 */
final class Replies {

  <T> void reply(StreamObserver<T> observer, Supplier<CompletableFuture<T>> action) {
    CompletableFuture<T> future;
    try {
      future = action.get();
    } catch (RuntimeException e) {
      observer.onError(StatusMapping.toStatus(e));
      return;
    }
    future.whenComplete((value, failure) -> {
      if (failure != null) {
        observer.onError(StatusMapping.toStatus(failure));
      } else {
        observer.onNext(value);
        observer.onCompleted();
      }
    });
  }
}
