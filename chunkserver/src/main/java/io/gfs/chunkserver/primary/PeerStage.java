package io.gfs.chunkserver.primary;

import io.gfs.proto.ChunkLocation;
import io.gfs.proto.CommitResponse;
import io.gfs.proto.MutationHeader;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * One mutation streamed to one secondary while the primary still receives it (DESIGN §4 step
 * 3): over the peer's data plane ({@link DataPlanePeerStage}) when it takes STAGE, else over the
 * replication plane's gRPC ({@link GrpcPeerStage}). Either way the stage has a deadline, so a
 * dead or silent replica fails this stage instead of hanging the primary (LESSONS #6), and
 * flow control bounds what is buffered for it.
 *
 * <p>{@code send}, {@code writable} and {@code finish} come from the session's single serial
 * chain; {@code ready} completes from the transport's threads; {@code cancel} may race with both.
 */
abstract class PeerStage {
  final ChunkLocation peer;
  /** Completes when the replica says READY; exceptionally on any failure or the deadline. */
  final CompletableFuture<Void> ready = new CompletableFuture<>();

  PeerStage(ChunkLocation peer) {
    this.peer = peer;
  }

  /** Sends the next piece; takes over the buffer and releases it. */
  abstract void send(ByteBuf piece);

  /** Completes once the stage can take more, or it has failed (it no longer matters). */
  abstract CompletableFuture<Void> writable();

  /** All pieces were sent. */
  abstract void finish();

  /** Gives up on this replica for this mutation; may race with the session's own calls. */
  abstract void cancel(String reason);

  /** Whether the mutation's COMMIT goes right behind the data ({@link #commitBeforeReady}). */
  boolean commitsBeforeReady() {
    return false;
  }

  /**
   * Sends the ordered mutation's COMMIT after the last piece, without waiting for READY; only
   * when {@link #commitsBeforeReady}. Completes with the replica's answer (see StageStream).
   */
  CompletableFuture<CommitResponse> commitBeforeReady(MutationHeader ordered, long deadlineMs) {
    throw new UnsupportedOperationException("this stage takes its COMMIT after READY");
  }
}
