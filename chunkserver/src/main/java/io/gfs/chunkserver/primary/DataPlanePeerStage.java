package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.dataplane.StageStream;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.CommitResponse;
import io.gfs.proto.MutationHeader;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/** A {@link PeerStage} over the peer's data plane (a STAGE, see PeerStages). */
final class DataPlanePeerStage extends PeerStage {
  private final StageStream stream;
  private final boolean commitFollows;

  /** {@code commitFollows}: the stream was opened to carry the COMMIT before READY too. */
  DataPlanePeerStage(ChunkLocation peer, StageStream stream, boolean commitFollows) {
    super(peer);
    this.stream = stream;
    this.commitFollows = commitFollows;
    stream.ready().whenComplete((v, e) -> {
      if (e != null) {
        ready.completeExceptionally(e);
      } else {
        ready.complete(null);
      }
    });
  }

  @Override
  void send(ByteBuf piece) {
    stream.send(piece);
  }

  @Override
  CompletableFuture<Void> writable() {
    return stream.writable();
  }

  @Override
  void finish() {
    // the header declared the length: the replica answers once it has every byte
  }

  @Override
  void cancel(String reason) {
    stream.cancel(reason);
  }

  @Override
  boolean commitsBeforeReady() {
    return commitFollows;
  }

  @Override
  CompletableFuture<CommitResponse> commitBeforeReady(MutationHeader ordered, long deadlineMs) {
    return stream.commit(ordered, deadlineMs);
  }
}
