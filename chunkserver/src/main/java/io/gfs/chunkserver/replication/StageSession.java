package io.gfs.chunkserver.replication;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteSession;
import io.gfs.chunkserver.storage.StageFile;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A secondary's stage of one mutation streamed by the primary over the data plane (STAGE): the
 * pieces go into the {@link StageFile} as they arrive, straight from the received buffers, and
 * the outcome means READY (DESIGN §4 step 3), as the replication plane's Stage call does.
 *
 * <p>Threads: onData/finish/abort come from the data plane in order; writes that touch the disk
 * run on {@code io}, one after another ({@code tail}), and the data plane reads no further piece
 * until the last one is written, which bounds what a fast primary makes this replica hold.
 */
public final class StageSession implements WriteSession {
  private final ReplicaEngine engine;
  private final Mutation mutation;
  private final StageFile stage;
  private final Executor io;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null); // data plane
  private volatile ChunkException failure;
  private volatile boolean ready;

  public StageSession(ReplicaEngine engine, Mutation mutation, StageFile stage, Executor io) {
    this.engine = engine;
    this.mutation = mutation;
    this.stage = stage;
    this.io = io;
  }

  @Override
  public CompletionStage<Void> onData(ByteBuf piece) {
    Runnable step = () -> {
      try {
        if (failure == null) {
          for (ByteBuffer b : piece.nioBuffers()) {
            stage.write(b);
          }
        }
      } catch (RuntimeException e) {
        fail(e);
      } finally {
        piece.release();
      }
    };
    if (tail.isDone() && stage.isInMemory()) {
      step.run(); // a copy into memory: no hand-off
    } else {
      tail = tail.thenRunAsync(step, io);
    }
    return tail;
  }

  @Override
  public CompletionStage<WriteOutcome> finish() {
    return tail.thenApply(v -> {
      try {
        if (failure != null) {
          throw failure;
        }
        stage.complete(); // length and CRC32C: READY
        ready = true;
        return new WriteOutcome(0, 0);
      } catch (RuntimeException e) {
        fail(e);
        drop();
        throw failure;
      }
    });
  }

  /**
   * Drops the stage, unless it was READY: from then on it waits for the primary's COMMIT or
   * ABORT on the replication plane, whatever becomes of the connection it came on (the primary
   * may close it right after READY).
   */
  @Override
  public void abort(String reason) {
    if (ready) {
      return;
    }
    if (failure == null) {
      failure = new ChunkException(ChunkException.Code.INVALID_ARGUMENT, "stage aborted: "
          + reason);
    }
    tail.whenCompleteAsync((v, e) -> drop(), io);
  }

  private void fail(RuntimeException e) {
    if (failure == null) {
      failure = ChunkErrors.fromThrowable(e);
    }
  }

  private void drop() {
    engine.abort(mutation.handle(), mutation.version(), mutation.stageId());
  }
}
