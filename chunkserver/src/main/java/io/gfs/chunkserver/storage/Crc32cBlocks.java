package io.gfs.chunkserver.storage;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.dataplane.ChunkOperations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/** CRC32C per 64 KiB block of chunk data. */
public final class Crc32cBlocks {
  public static final int BLOCK = ChunkOperations.CHECKSUM_BLOCK_BYTES;
  /** Blocks read back per system call at a commit; one buffer per I/O thread. */
  private static final int READ_BLOCKS = 16;
  private static final ThreadLocal<ByteBuffer> READ_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(READ_BLOCKS * BLOCK));

  private Crc32cBlocks() {}

  public static int blockCount(long length) {
    return Math.toIntExact((length + BLOCK - 1) / BLOCK);
  }

  public static int crc(byte[] bytes, int offset, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, offset, length);
    return (int) c.getValue();
  }

  /**
   * Recomputes the CRCs of the blocks touched by bytes [fromOffset, newLength) of the file,
   * keeping the earlier ones. Reads the file, so it checks what is actually on disk: with
   * {@code expectedCrc32c} (non-null), the CRC32C of bytes [fromOffset, newLength) must equal it,
   * or this throws CHECKSUM_MISMATCH.
   */
  static int[] extend(int[] old, long fromOffset, long newLength, FileChannel data,
      Integer expectedCrc32c) throws IOException {
    int firstBlock = Math.toIntExact(fromOffset / BLOCK);
    int[] out = new int[blockCount(newLength)];
    System.arraycopy(old, 0, out, 0, Math.min(firstBlock, old.length));
    // Whole blocks per read into a direct buffer: a heap buffer would cost the JDK's copy from
    // its own temporary direct buffer, and one read per block a system call per 64 KiB.
    ByteBuffer buf = READ_BUFFER.get();
    CRC32C block = new CRC32C();
    CRC32C range = new CRC32C();
    long start = (long) firstBlock * BLOCK;
    while (start < newLength) {
      int len = (int) Math.min(buf.capacity(), newLength - start);
      buf.clear().limit(len);
      FileChannels.readFully(data, buf, start);
      for (int at = 0; at < len; at += BLOCK) {
        int n = Math.min(BLOCK, len - at);
        block.reset();
        block.update(buf.limit(at + n).position(at));
        out[Math.toIntExact((start + at) / BLOCK)] = (int) block.getValue();
        int skip = (int) Math.max(0, Math.min(n, fromOffset - (start + at)));
        range.update(buf.limit(at + n).position(at + skip));
      }
      start += len;
    }
    if (expectedCrc32c != null && (int) range.getValue() != expectedCrc32c) {
      throw new ChunkException(Code.CHECKSUM_MISMATCH, "bytes [" + fromOffset + ", " + newLength
          + ") of the chunk file do not match the mutation's CRC32C");
    }
    return out;
  }

  /**
   * Verifies a read region as a client would: {@code bytes} are the region's bytes starting at
   * chunk offset {@code chunkOffset}, which is block aligned. Returns the index of the first bad
   * block, or -1 when all match.
   */
  public static int firstMismatch(byte[] bytes, long chunkOffset, int[] blockCrc32c) {
    if (chunkOffset % BLOCK != 0) {
      throw new IllegalArgumentException("region does not start on a block boundary");
    }
    for (int i = 0; i < blockCrc32c.length; i++) {
      int start = i * BLOCK;
      if (start > bytes.length) {
        return i;
      }
      int len = Math.min(BLOCK, bytes.length - start);
      if (crc(bytes, start, len) != blockCrc32c[i]) {
        return i;
      }
    }
    return bytes.length > blockCrc32c.length * (long) BLOCK ? blockCrc32c.length : -1;
  }
}
