package io.gfs.chunkserver.dataplane;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs ChunkOperations calls, which may block on disk, on the bounded operation executor, and
 * brings every result back to the connection's event loop, which owns the connection's state.
 */
final class EngineCalls {
  private static final Logger LOG = LogManager.getLogger(EngineCalls.class);

  private final String node;
  private final Executor operationExecutor;
  private final Executor eventLoop;

  EngineCalls(String node, Executor operationExecutor, Executor eventLoop) {
    this.node = node;
    this.operationExecutor = operationExecutor;
    this.eventLoop = eventLoop;
  }

  /**
   * Calls {@code call} off the event loop; {@code onResult} or {@code onFailure} then runs on the
   * event loop. A full operation queue fails at once with OVERLOADED. A result that cannot go
   * back because the event loop is shutting down is handed to {@code discard} (to release it).
   */
  <T> void submit(Supplier<T> call, Consumer<T> onResult, Consumer<Throwable> onFailure,
      Consumer<T> discard) {
    try {
      operationExecutor.execute(() -> {
        T result;
        try {
          result = call.get();
        } catch (RuntimeException e) {
          onLoop(() -> onFailure.accept(e));
          return;
        }
        try {
          eventLoop.execute(() -> onResult.accept(result));
        } catch (RejectedExecutionException e) {
          discard.accept(result);
        }
      });
    } catch (RejectedExecutionException e) {
      onFailure.accept(new ChunkException(ChunkException.Code.OVERLOADED,
          "chunkserver operation queue is full"));
    }
  }

  /** Runs a completion on the event loop; dropped when the loop is gone (connections closed). */
  void onLoop(Runnable task) {
    try {
      eventLoop.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("{} event loop gone, dropping completion", node);
    }
  }
}
