package io.gfs.client.internal.dataplane;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Checks every 64 KiB block of a READ reply against its CRC32C, then trims the block-aligned bytes
 * to the requested range, never past the committed length (DESIGN §4 Read, invariant 2).
 */
final class ReadVerifier {
  private static final int BLOCK = WireFormat.BLOCK_BYTES;

  private ReadVerifier() {
  }

  static ReadResult verifyAndTrim(InetSocketAddress server, UUID handle, Reply.ReadData reply,
      long offset, long length) {
    byte[] data = reply.data();
    long committed = reply.committedLength();
    long regionEnd = reply.chunkOffset() + data.length;
    long wantedEnd = Math.min(offset + length, committed);
    if (offset >= wantedEnd) {
      return new ReadResult(ByteBuffer.allocate(0).asReadOnlyBuffer(), committed);
    }
    if (reply.chunkOffset() < 0 || reply.chunkOffset() % BLOCK != 0
        || reply.chunkOffset() > offset || regionEnd < wantedEnd || regionEnd > committed
        || (data.length % BLOCK != 0 && regionEnd != committed)) {
      throw new DataPlaneException(DataPlaneStatus.MALFORMED, String.format(
          "server=%s chunk=%s sent region [%d, %d) for [%d, %d) committed=%d", server, handle,
          reply.chunkOffset(), regionEnd, offset, wantedEnd, committed));
    }
    CRC32C crc = new CRC32C();
    int[] expected = reply.blockCrc32c();
    for (int i = 0; i < expected.length; i++) {
      int from = i * BLOCK;
      int to = Math.min(from + BLOCK, data.length);
      crc.reset();
      crc.update(data, from, to - from);
      int actual = (int) crc.getValue();
      if (actual != expected[i]) {
        throw new ChecksumMismatchException(server, handle, reply.chunkOffset() + from,
            expected[i], actual);
      }
    }
    int start = (int) (offset - reply.chunkOffset());
    int size = (int) (wantedEnd - offset);
    return new ReadResult(ByteBuffer.wrap(data, start, size).slice().asReadOnlyBuffer(),
        committed);
  }
}
