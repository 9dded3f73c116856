package io.gfs.client.internal;

import io.gfs.client.internal.dataplane.ReadBuffers;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Opens the data-plane transport on first use, so metadata-only clients never start it. */
public final class LazyChunkIo implements ChunkIo {
  private final Supplier<ChunkIo> factory;
  // guarded by this
  private ChunkIo delegate;
  private boolean closed;

  public LazyChunkIo(Supplier<ChunkIo> factory) {
    this.factory = factory;
  }

  private synchronized ChunkIo get() {
    if (closed) {
      throw new IllegalStateException("client closed");
    }
    if (delegate == null) {
      delegate = factory.get();
    }
    return delegate;
  }

  @Override
  public CompletableFuture<ReadResult> read(
      HostPorts.HostPort replica, UUID handle, long version, long offset, int length) {
    return get().read(replica, handle, version, offset, length);
  }

  @Override
  public CompletableFuture<ReadBuffers> readBuffers(
      HostPorts.HostPort replica, UUID handle, long version, long offset, int length) {
    return get().readBuffers(replica, handle, version, offset, length);
  }

  @Override
  public CompletableFuture<WriteResult> write(
      HostPorts.HostPort primary, UUID handle, long version, long offset, ByteBuffer data) {
    return get().write(primary, handle, version, offset, data);
  }

  @Override
  public CompletableFuture<Long> committedLength(
      HostPorts.HostPort replica, UUID handle, long version) {
    return get().committedLength(replica, handle, version);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (delegate != null) {
      delegate.close();
    }
  }
}
