package io.gfs.client.internal.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Verified bytes of a read, still in the buffers the data plane received them in (no copy yet),
 * trimmed to the requested range and never past the committed length. The holder copies them out
 * once, where they are needed, and must {@link #close} the object exactly when done with it —
 * consumed or not — to give the buffers back to the transport; closing again is a no-op.
 * Reading is for one thread at a time.
 */
public final class ReadBuffers implements AutoCloseable {
  private final ByteBuf data;
  private final long committedLength;
  private final AtomicBoolean released = new AtomicBoolean();

  /** Takes over the caller's reference to {@code data}, whose readable bytes are verified. */
  public static ReadBuffers of(ByteBuf data, long committedLength) {
    return new ReadBuffers(data, committedLength);
  }

  private ReadBuffers(ByteBuf data, long committedLength) {
    this.data = data;
    this.committedLength = committedLength;
  }

  /** Verified heap bytes (from the buffer's position to its limit) in the same shape. */
  public static ReadBuffers wrap(ByteBuffer data, long committedLength) {
    return of(Unpooled.wrappedBuffer(data.duplicate()), committedLength);
  }

  /**
   * Closes the buffers {@code source} yields when {@code derived}, the future a caller holds, is
   * cancelled: a cancelled future skips the stages that would have handed them on, so nobody
   * else ever gets them.
   */
  public static void closeIfCancelled(CompletableFuture<?> derived,
      CompletableFuture<ReadBuffers> source) {
    derived.whenComplete((r, t) -> {
      if (derived.isCancelled()) {
        source.thenAccept(ReadBuffers::close);
      }
    });
  }

  /** The replica's committed length when it served the read. */
  public long committedLength() {
    return committedLength;
  }

  /** Bytes not yet copied out. */
  public int remaining() {
    checkOpen();
    return data.readableBytes();
  }

  /** Copies up to {@code len} of the next bytes into {@code dst}; returns how many. */
  public int copyTo(byte[] dst, int off, int len) {
    checkOpen();
    int n = Math.min(len, data.readableBytes());
    data.readBytes(dst, off, n);
    return n;
  }

  /** Copies the remaining bytes into {@code dst}, which must have room for them. */
  public void copyTo(ByteBuffer dst) {
    checkOpen();
    int n = data.readableBytes();
    ByteBuffer target = dst.duplicate();
    target.limit(target.position() + n);
    data.readBytes(target);
    dst.position(dst.position() + n);
  }

  /** The remaining bytes as a read-only heap buffer of their own (a copy); then releases. */
  ReadResult toReadResult() {
    try {
      byte[] copy = new byte[remaining()];
      copyTo(copy, 0, copy.length);
      return new ReadResult(ByteBuffer.wrap(copy).asReadOnlyBuffer(), committedLength);
    } finally {
      close();
    }
  }

  private void checkOpen() {
    if (released.get()) {
      throw new IllegalStateException("read buffers already released");
    }
  }

  @Override
  public void close() {
    if (released.compareAndSet(false, true)) {
      data.release();
    }
  }
}
