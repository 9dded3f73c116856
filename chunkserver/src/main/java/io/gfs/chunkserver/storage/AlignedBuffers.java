package io.gfs.chunkserver.storage;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * Direct buffers aligned for direct I/O, of one size, with at most {@code outMax} out at once:
 * beyond that (or when direct memory is short) {@link #take} says no and the caller uses the
 * page cache, so many concurrent direct reads or writes cannot exhaust the direct memory the data
 * plane needs too. Up to {@code pooledMax} given-back buffers are kept for reuse.
 */
final class AlignedBuffers {
  /** Every buffer's alignment: the largest a store may need, so any buffer fits any store. */
  static final int ALIGNMENT = Crc32cBlocks.BLOCK;

  private final int bytes;
  private final int pooledMax;
  private final Semaphore out;
  private final Queue<ByteBuffer> pool = new ConcurrentLinkedQueue<>();

  AlignedBuffers(int bytes, int outMax, int pooledMax) {
    this.bytes = bytes;
    this.pooledMax = pooledMax;
    this.out = new Semaphore(outMax);
  }

  /** A cleared buffer of the pool's size, or null when {@code outMax} are out. */
  ByteBuffer take() {
    if (!out.tryAcquire()) {
      return null;
    }
    ByteBuffer pooled = pool.poll();
    if (pooled != null) {
      return pooled;
    }
    try {
      return ByteBuffer.allocateDirect(bytes + ALIGNMENT).alignedSlice(ALIGNMENT);
    } catch (OutOfMemoryError e) { // direct memory is short: the page cache needs none
      out.release();
      return null;
    }
  }

  /** Returns a buffer {@link #take} gave; exactly once per buffer. */
  void giveBack(ByteBuffer buffer) {
    if (pool.size() < pooledMax) {
      pool.offer(buffer.clear());
    }
    out.release();
  }

  /** How many more buffers may be taken now. */
  int available() {
    return out.availablePermits();
  }
}
