package io.gfs.chunkserver.primary;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.gfs.chunkserver.replication.ChunkErrors;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ReplicationServiceGrpc.ReplicationServiceStub;
import io.gfs.proto.StageRequest;
import io.gfs.proto.StageResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link PeerStage} over the replication plane's gRPC Stage call, for a peer whose data plane
 * does not take STAGE (an older version during a rolling upgrade, or none yet known). The call
 * has a deadline, so a dead or silent replica fails this stage instead of hanging
 * the primary (LESSONS #6); gRPC flow control bounds what is buffered for it.
 *
 * <p>Sends come from the session's single serial chain; {@code ready} and {@code writable} are
 * completed from gRPC callbacks.
 */
final class GrpcPeerStage extends PeerStage
    implements ClientResponseObserver<StageRequest, StageResponse> {
  private static final int MESSAGE_BYTES_MAX = 1 << 20;
  private ClientCallStreamObserver<StageRequest> requests;
  private volatile boolean cancelled;
  private CompletableFuture<Void> writable = new CompletableFuture<>(); // guarded by this

  GrpcPeerStage(ChunkLocation peer, ReplicationServiceStub stub, Mutation m, long deadlineMs) {
    super(peer);
    stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).stage(this);
    requests.onNext(StageRequest.newBuilder().setHeader(m.toProto()).build());
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<StageRequest> call) {
    this.requests = call;
    call.setOnReadyHandler(this::signalWritable);
  }

  private void signalWritable() {
    CompletableFuture<Void> w;
    synchronized (this) {
      w = writable;
    }
    if (requests.isReady() || ready.isDone()) {
      w.complete(null);
    }
  }

  @Override
  void send(ByteBuf piece) {
    try {
      // pieces of any size from the data plane become gRPC messages well under the limit
      while (!ended() && piece.isReadable()) {
        int n = Math.min(MESSAGE_BYTES_MAX, piece.readableBytes());
        byte[] bytes = new byte[n];
        piece.readBytes(bytes);
        ByteString message = UnsafeByteOperations.unsafeWrap(bytes); // never written again
        requests.onNext(StageRequest.newBuilder().setData(message).build());
      }
    } catch (RuntimeException e) {
      failLocally(e); // a broken call fails this replica only, never the mutation
    } finally {
      piece.release();
    }
  }

  private boolean ended() {
    return cancelled || ready.isDone();
  }

  private void failLocally(RuntimeException e) {
    ready.completeExceptionally(ChunkErrors.fromThrowable(e));
    signalWritable();
  }

  @Override
  CompletableFuture<Void> writable() {
    synchronized (this) {
      if (writable.isDone()) {
        writable = new CompletableFuture<>();
      }
    }
    signalWritable();
    synchronized (this) {
      return writable;
    }
  }

  @Override
  void finish() {
    if (!ended()) {
      try {
        requests.onCompleted();
      } catch (RuntimeException e) {
        failLocally(e);
      }
    }
  }

  @Override
  void cancel(String reason) {
    if (!ended()) {
      cancelled = true;
      requests.cancel(reason, null);
    }
  }

  @Override
  public void onNext(StageResponse value) {
    if (value.getReady()) {
      ready.complete(null);
    }
  }

  @Override
  public void onError(Throwable t) {
    ready.completeExceptionally(ChunkErrors.fromThrowable(t));
    signalWritable();
  }

  @Override
  public void onCompleted() {
    if (!ready.isDone()) {
      ready.completeExceptionally(new IllegalStateException("stage ended without READY"));
    }
    signalWritable();
  }
}
