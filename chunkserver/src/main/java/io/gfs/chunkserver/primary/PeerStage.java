package io.gfs.chunkserver.primary;

import com.google.protobuf.ByteString;
import io.gfs.chunkserver.replication.ChunkErrors;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ReplicationServiceGrpc.ReplicationServiceStub;
import io.gfs.proto.StageRequest;
import io.gfs.proto.StageResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One mutation streamed to one secondary while the primary still receives it (DESIGN §4 step
 * 3). The call has a deadline, so a dead or silent replica fails this stage instead of hanging
 * the primary (LESSONS #6); gRPC flow control bounds what is buffered for it.
 *
 * <p>Sends come from the session's single serial chain; {@code ready} and {@code writable} are
 * completed from gRPC callbacks.
 */
final class PeerStage implements ClientResponseObserver<StageRequest, StageResponse> {
  final ChunkLocation peer;
  /** Completes when the replica says READY; exceptionally on any failure or the deadline. */
  final CompletableFuture<Void> ready = new CompletableFuture<>();
  private ClientCallStreamObserver<StageRequest> requests;
  private volatile boolean cancelled;
  private CompletableFuture<Void> writable = new CompletableFuture<>(); // guarded by this

  PeerStage(ChunkLocation peer, ReplicationServiceStub stub, Mutation m, long deadlineMs) {
    this.peer = peer;
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

  void send(ByteString piece) {
    if (!ended()) {
      try {
        requests.onNext(StageRequest.newBuilder().setData(piece).build());
      } catch (RuntimeException e) {
        failLocally(e); // a broken call fails this replica only, never the mutation
      }
    }
  }

  private boolean ended() {
    return cancelled || ready.isDone();
  }

  private void failLocally(RuntimeException e) {
    ready.completeExceptionally(ChunkErrors.fromThrowable(e));
    signalWritable();
  }

  /** Completes once the stream can take more, or the stage has failed (it no longer matters). */
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

  void finish() {
    if (!ended()) {
      try {
        requests.onCompleted();
      } catch (RuntimeException e) {
        failLocally(e);
      }
    }
  }

  /** Gives up on this replica for this mutation; may race with the session's own calls. */
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
