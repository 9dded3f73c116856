package io.gfs.client.internal;

import io.gfs.client.internal.dataplane.ChecksumMismatchException;
import io.gfs.client.internal.dataplane.DataPlaneClient;
import io.gfs.client.internal.dataplane.DataPlaneClientConfig;
import io.gfs.client.internal.dataplane.DataPlaneException;
import io.gfs.client.internal.dataplane.ReadBuffers;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ChunkIo} over the binary TCP data plane (docs/protocol.md): translates the data-plane
 * statuses into what the file logic acts on, in one place. The one subtle case is a lost
 * connection: before anything was sent (connect failed) the replica is merely unreachable; after a
 * write was sent, its outcome is unknown.
 */
public final class DefaultChunkIo implements ChunkIo {
  private final DataPlaneClient client;
  private final ExecutorService callbacks;
  private final Duration timeout;

  private DefaultChunkIo(Duration timeout) {
    this.timeout = timeout;
    AtomicInteger n = new AtomicInteger();
    this.callbacks = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "gfs-client-dataplane-callback-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.client = new DataPlaneClient(DataPlaneClientConfig.defaults(), callbacks);
  }

  public static ChunkIo create(Duration timeout) {
    return new DefaultChunkIo(timeout);
  }

  private static InetSocketAddress address(HostPorts.HostPort hp) {
    return new InetSocketAddress(hp.host(), hp.port());
  }

  @Override
  public CompletableFuture<ReadResult> read(
      HostPorts.HostPort replica, UUID handle, long version, long offset, int length) {
    return client.read(address(replica), handle, version, offset, length, timeout)
        .handle((r, t) -> {
          if (t != null) {
            throw translate(t, false);
          }
          return new ReadResult(r.data(), r.committedLength());
        });
  }

  @Override
  public CompletableFuture<ReadBuffers> readBuffers(
      HostPorts.HostPort replica, UUID handle, long version, long offset, int length) {
    CompletableFuture<ReadBuffers> sent =
        client.readBuffers(address(replica), handle, version, offset, length, timeout);
    CompletableFuture<ReadBuffers> result = sent.handle((r, t) -> {
      if (t != null) {
        throw translate(t, false);
      }
      return r;
    });
    ReadBuffers.closeIfCancelled(result, sent);
    return result;
  }

  @Override
  public CompletableFuture<WriteResult> write(
      HostPorts.HostPort primary, UUID handle, long version, long offset, ByteBuffer data) {
    InetSocketAddress server = address(primary);
    var sent = offset < 0 ? client.append(server, handle, version, data, timeout)
        : client.write(server, handle, version, offset, data, timeout);
    return sent.handle((r, t) -> {
      if (t != null) {
        throw translate(t, true);
      }
      return new WriteResult(r.offset(), r.committedLength());
    });
  }

  @Override
  public CompletableFuture<Long> committedLength(
      HostPorts.HostPort replica, UUID handle, long version) {
    return client.committedLength(address(replica), handle, version, timeout)
        .handle((r, t) -> {
          if (t != null) {
            throw translate(t, false);
          }
          return r;
        });
  }

  static ChunkIoException translate(Throwable t, boolean mutation) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof ChunkIoException cie) {
      return cie;
    }
    if (cause instanceof ChecksumMismatchException) {
      return new ChunkIoException(ChunkIoException.Kind.CORRUPT, cause.getMessage(), cause);
    }
    if (!(cause instanceof DataPlaneException dpe)) {
      return new ChunkIoException(mutation ? ChunkIoException.Kind.UNKNOWN
          : ChunkIoException.Kind.FAILED, String.valueOf(cause), cause);
    }
    ChunkIoException.Kind kind = switch (dpe.status()) {
      case CHUNK_FULL -> ChunkIoException.Kind.CHUNK_FULL;
      case NOT_PRIMARY, STALE_VERSION -> ChunkIoException.Kind.STALE;
      case NOT_FOUND -> ChunkIoException.Kind.NOT_FOUND;
      case CHECKSUM_MISMATCH -> ChunkIoException.Kind.CORRUPT;
      case INVALID_ARGUMENT, RECORD_TOO_LARGE, FRAME_TOO_LARGE, MALFORMED, BAD_MAGIC,
          UNSUPPORTED_VERSION, UNKNOWN_OPERATION -> ChunkIoException.Kind.INVALID;
      case NO_SPACE -> ChunkIoException.Kind.NO_SPACE;
      case TIMEOUT -> mutation ? ChunkIoException.Kind.UNKNOWN : ChunkIoException.Kind.FAILED;
      // The primary may have sent COMMIT to some replicas before too few acknowledged it; a new
      // primary's recovery then keeps the write. So a lost quorum is not a definite failure.
      case QUORUM_FAILED -> mutation ? ChunkIoException.Kind.UNKNOWN : ChunkIoException.Kind.FAILED;
      // The server answers everything it executed before GOING_AWAY: what is left never ran.
      case GOING_AWAY -> ChunkIoException.Kind.UNREACHABLE;
      case UNAVAILABLE -> neverConnected(dpe) ? ChunkIoException.Kind.UNREACHABLE
          : mutation ? ChunkIoException.Kind.UNKNOWN : ChunkIoException.Kind.UNREACHABLE;
      default -> ChunkIoException.Kind.FAILED;
    };
    return new ChunkIoException(kind, dpe.getMessage(), dpe);
  }

  private static boolean neverConnected(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException
          || c instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    client.close();
    callbacks.shutdownNow();
  }
}
