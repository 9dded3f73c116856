package io.gfs.chunkserver.replication;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one place chunk error codes map to and from gRPC status (STYLE: errors). */
public final class ChunkErrors {
  static final Metadata.Key<String> CODE_KEY =
      Metadata.Key.of("gfs-chunk-error", Metadata.ASCII_STRING_MARSHALLER);

  private ChunkErrors() {}

  public static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    Code code = e instanceof ChunkException c ? c.code() : Code.INTERNAL;
    Status status = switch (code) {
      case INVALID_ARGUMENT, RECORD_TOO_LARGE -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case STALE_VERSION, NOT_PRIMARY, CHUNK_FULL -> Status.ABORTED;
      case NO_SPACE, OVERLOADED -> Status.RESOURCE_EXHAUSTED;
      case CHECKSUM_MISMATCH -> Status.DATA_LOSS;
      case TIMEOUT -> Status.DEADLINE_EXCEEDED;
      case QUORUM_FAILED -> Status.UNAVAILABLE;
      case INTERNAL -> Status.INTERNAL;
    };
    Metadata trailers = new Metadata();
    trailers.put(CODE_KEY, code.name());
    return status.withDescription(e.getMessage()).asRuntimeException(trailers);
  }

  /** A ChunkException for any failure of a replication call. */
  public static ChunkException fromThrowable(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof ChunkException c) {
      return c;
    }
    Status status = Status.fromThrowable(e);
    Metadata trailers = Status.trailersFromThrowable(e);
    String name = trailers == null ? null : trailers.get(CODE_KEY);
    if (name != null) {
      try {
        return new ChunkException(Code.valueOf(name), status.getDescription(), e);
      } catch (IllegalArgumentException ignored) {
        // an unknown code from a newer peer: fall through to the status mapping
      }
    }
    Code code = switch (status.getCode()) {
      case DEADLINE_EXCEEDED -> Code.TIMEOUT;
      case NOT_FOUND -> Code.NOT_FOUND;
      case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
      case RESOURCE_EXHAUSTED -> Code.OVERLOADED;
      case DATA_LOSS -> Code.CHECKSUM_MISMATCH;
      case UNAVAILABLE, CANCELLED -> Code.QUORUM_FAILED;
      default -> Code.INTERNAL;
    };
    return new ChunkException(code, status.getCode() + ": " + status.getDescription(), e);
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
