package io.gfs.client.internal.dataplane;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The data of one write, handed over piece by piece as the connection can take it, so a caller
 * need not hold a whole 64 MiB write in memory. The length and CRC32C must be known up front:
 * they travel in the WRITE/APPEND header, and the replicas check the data against them.
 *
 * <p>{@link #nextPiece()} is called on a Netty event-loop thread and must not block.
 */
public interface WriteSource {
  /** Total bytes the pieces add up to; at least 1. */
  long length();

  /** CRC32C of all the bytes. */
  int crc32c();

  /** The next piece (any size; the client cuts it into frames), or null after the last one. */
  ByteBuffer nextPiece();

  /**
   * A source over buffers already in memory. Their positions are not changed; their contents
   * must not change until the write completes.
   */
  static WriteSource of(List<ByteBuffer> pieces) {
    long length = 0;
    CRC32C crc = new CRC32C();
    ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    for (ByteBuffer piece : pieces) {
      length += piece.remaining();
      crc.update(piece.duplicate());
      queue.add(piece.duplicate());
    }
    long total = length;
    int crc32c = (int) crc.getValue();
    return new WriteSource() {
      @Override
      public long length() {
        return total;
      }

      @Override
      public int crc32c() {
        return crc32c;
      }

      @Override
      public ByteBuffer nextPiece() {
        return queue.poll();
      }
    };
  }
}
