package io.gfs.chunkserver.replication;

import com.google.protobuf.UnsafeByteOperations;
import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.chunkserver.storage.StageFile;
import io.gfs.proto.AbortRequest;
import io.gfs.proto.AbortResponse;
import io.gfs.proto.CatchUpRequest;
import io.gfs.proto.CatchUpResponse;
import io.gfs.proto.CommitRequest;
import io.gfs.proto.CommitResponse;
import io.gfs.proto.GetChunkStateRequest;
import io.gfs.proto.GetChunkStateResponse;
import io.gfs.proto.ReadCommittedRequest;
import io.gfs.proto.ReadCommittedResponse;
import io.gfs.proto.ReplicationServiceGrpc;
import io.gfs.proto.SealRequest;
import io.gfs.proto.SealResponse;
import io.gfs.proto.SetVersionRequest;
import io.gfs.proto.SetVersionResponse;
import io.gfs.proto.StageRequest;
import io.gfs.proto.StageResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Translates the replication gRPC API onto {@link ReplicaEngine}. */
public final class ReplicationServiceImpl
    extends ReplicationServiceGrpc.ReplicationServiceImplBase {
  private static final Logger LOG = LogManager.getLogger(ReplicationServiceImpl.class);
  private static final int PEER_PIECE_BYTES = 1 << 20;

  private final ReplicaEngine engine;
  private final ChunkCopier copier;

  public ReplicationServiceImpl(ReplicaEngine engine, ChunkCopier copier) {
    this.engine = engine;
    this.copier = copier;
  }

  @Override
  public StreamObserver<StageRequest> stage(StreamObserver<StageResponse> response) {
    return new StreamObserver<>() {
      private Mutation mutation; // the gRPC call delivers messages one at a time
      private StageFile stage;
      private boolean failed;

      @Override
      public void onNext(StageRequest req) {
        if (failed) {
          return;
        }
        try {
          if (req.hasHeader()) {
            if (mutation != null) {
              throw new ChunkException(Code.INVALID_ARGUMENT, "second stage header");
            }
            mutation = Mutation.fromProto(req.getHeader());
            stage = engine.beginStage(mutation);
          } else {
            if (stage == null) {
              throw new ChunkException(Code.INVALID_ARGUMENT, "stage data before header");
            }
            stage.write(req.getData().asReadOnlyByteBuffer());
          }
        } catch (RuntimeException e) {
          fail(e);
        }
      }

      private void fail(RuntimeException e) {
        failed = true;
        dropStage();
        response.onError(ChunkErrors.toStatus(asChunk(e)));
      }

      private void dropStage() {
        if (mutation != null) {
          engine.abort(mutation.handle(), mutation.version(), mutation.stageId());
        }
      }

      @Override
      public void onError(Throwable t) {
        failed = true;
        dropStage();
      }

      @Override
      public void onCompleted() {
        if (failed) {
          return;
        }
        try {
          if (stage == null) {
            throw new ChunkException(Code.INVALID_ARGUMENT, "stage without header");
          }
          stage.complete();
          response.onNext(StageResponse.newBuilder().setReady(true).build());
          response.onCompleted();
        } catch (RuntimeException e) {
          fail(e);
        }
      }
    };
  }

  @Override
  public void commit(CommitRequest req, StreamObserver<CommitResponse> response) {
    Mutation m;
    try {
      m = Mutation.fromProto(req.getMutation());
    } catch (RuntimeException e) {
      response.onError(ChunkErrors.toStatus(asChunk(e)));
      return;
    }
    engine.commit(m).whenComplete((meta, err) -> {
      if (err != null) {
        response.onError(ChunkErrors.toStatus(err));
      } else {
        response.onNext(CommitResponse.newBuilder().setCommittedLength(meta.committedLength())
            .setCommittedSequence(meta.committedSequence()).build());
        response.onCompleted();
      }
    });
  }

  @Override
  public void abort(AbortRequest req, StreamObserver<AbortResponse> response) {
    try {
      engine.abort(req.getHandle(), req.getVersion(), req.getStageId());
      response.onNext(AbortResponse.getDefaultInstance());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(ChunkErrors.toStatus(e));
    }
  }

  @Override
  public void getChunkState(GetChunkStateRequest req,
      StreamObserver<GetChunkStateResponse> response) {
    try {
      response.onNext(toState(engine.state(req.getHandle())));
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(ChunkErrors.toStatus(e));
    }
  }

  static GetChunkStateResponse toState(Optional<ChunkMeta> meta) {
    return meta.map(m -> GetChunkStateResponse.newBuilder().setExists(true)
        .setVersion(m.version()).setCommittedLength(m.committedLength())
        .setCommittedSequence(m.committedSequence()).setSealed(m.sealed()).build())
        .orElse(GetChunkStateResponse.getDefaultInstance());
  }

  @Override
  public void setVersion(SetVersionRequest req, StreamObserver<SetVersionResponse> response) {
    try {
      ChunkMeta m = engine.setVersion(req.getHandle(), req.getVersion());
      LOG.debug("{} version set by primary chunk={} primary={}", engine.nodeId(),
          req.getHandle(), req.getPrimaryId());
      response.onNext(SetVersionResponse.newBuilder().setState(toState(Optional.of(m))).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(ChunkErrors.toStatus(e));
    }
  }

  @Override
  public void catchUp(CatchUpRequest req, StreamObserver<CatchUpResponse> response) {
    try {
      ChunkMeta m;
      if (req.getReplace()) {
        copier.copy(req.getHandle(), req.getVersion(), req.getSource());
        m = engine.state(req.getHandle()).orElseThrow();
      } else {
        m = copier.catchUp(req.getHandle(), req.getVersion(), req.getSource(),
            req.getCommittedLength(), req.getCommittedSequence());
      }
      response.onNext(CatchUpResponse.newBuilder().setState(toState(Optional.of(m))).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(ChunkErrors.toStatus(e));
    }
  }

  @Override
  public void seal(SealRequest req, StreamObserver<SealResponse> response) {
    try {
      ChunkMeta m = engine.seal(req.getHandle(), req.getVersion(), req.getCommittedLength());
      response.onNext(SealResponse.newBuilder().setState(toState(Optional.of(m))).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(ChunkErrors.toStatus(e));
    }
  }

  @Override
  public void readCommitted(ReadCommittedRequest req,
      StreamObserver<ReadCommittedResponse> response) {
    try {
      if (req.getOffset() < 0 || req.getLength() < 0) { // uint64 beyond Long.MAX_VALUE
        throw new ChunkException(Code.INVALID_ARGUMENT, "offset or length out of range");
      }
      ChunkMeta m = engine.state(req.getHandle()).orElseThrow(
          () -> new ChunkException(Code.NOT_FOUND, "no replica of chunk " + req.getHandle()));
      long end = req.getLength() == 0 ? m.committedLength()
          : Math.min(m.committedLength(), req.getOffset() + Math.min(req.getLength(),
              m.committedLength()));
      ServerCallStreamObserver<ReadCommittedResponse> call =
          (ServerCallStreamObserver<ReadCommittedResponse>) response;
      CommittedPump pump = new CommittedPump(call, req.getHandle(), m, req.getOffset(), end);
      call.setOnReadyHandler(pump);
      pump.run();
    } catch (RuntimeException e) {
      response.onError(ChunkErrors.toStatus(e));
    }
  }

  /** Sends committed bytes only while the peer keeps up (gRPC flow control bounds memory). */
  private final class CommittedPump implements Runnable {
    private final ServerCallStreamObserver<ReadCommittedResponse> call;
    private final String handle;
    private final ChunkMeta meta;
    private final long end;
    private long pos; // guarded by this
    private boolean done; // guarded by this

    CommittedPump(ServerCallStreamObserver<ReadCommittedResponse> call, String handle,
        ChunkMeta meta, long from, long end) {
      this.call = call;
      this.handle = handle;
      this.meta = meta;
      this.pos = from;
      this.end = end;
    }

    @Override
    public synchronized void run() {
      try {
        while (!done && call.isReady() && !call.isCancelled()) {
          byte[] piece = engine.store().readCommitted(handle, pos,
              Math.min(PEER_PIECE_BYTES, Math.max(0, end - pos)));
          call.onNext(ReadCommittedResponse.newBuilder()
              .setData(UnsafeByteOperations.unsafeWrap(piece))
              .setCommittedLength(meta.committedLength())
              .setCommittedSequence(meta.committedSequence()).setVersion(meta.version())
              .setSealed(meta.sealed())
              .build());
          pos += piece.length;
          if (pos >= end || piece.length == 0) {
            done = true;
            call.onCompleted();
          }
        }
      } catch (RuntimeException e) {
        if (!done) {
          done = true;
          call.onError(ChunkErrors.toStatus(e));
        }
      }
    }
  }

  private static ChunkException asChunk(RuntimeException e) {
    if (e instanceof ChunkException c) {
      return c;
    }
    if (e instanceof IllegalArgumentException) {
      return new ChunkException(Code.INVALID_ARGUMENT, e.getMessage(), e);
    }
    return new ChunkException(Code.INTERNAL, String.valueOf(e.getMessage()), e);
  }
}
