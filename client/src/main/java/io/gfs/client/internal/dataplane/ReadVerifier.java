package io.gfs.client.internal.dataplane;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Checks every 64 KiB block of a READ reply against its CRC32C, in the received buffers
 * themselves, then trims the block-aligned bytes to the requested range, never past the committed
 * length (DESIGN §4 Read, invariant 2). Nothing leaves here unverified.
 */
final class ReadVerifier {
  private static final int BLOCK = WireFormat.BLOCK_BYTES;

  private ReadVerifier() {
  }

  /** Takes over the reply's data: it is either handed on in the result or released. */
  static ReadBuffers verifyAndTrim(InetSocketAddress server, UUID handle, Reply.ReadData reply,
      long offset, long length) {
    ByteBuf data = reply.data();
    boolean handedOn = false;
    try {
      ReadBuffers result = check(server, handle, reply, data, offset, length);
      handedOn = true;
      return result;
    } finally {
      if (!handedOn) {
        data.release();
      }
    }
  }

  private static ReadBuffers check(InetSocketAddress server, UUID handle, Reply.ReadData reply,
      ByteBuf data, long offset, long length) {
    int size0 = data.readableBytes();
    long committed = reply.committedLength();
    long regionEnd = reply.chunkOffset() + size0;
    long wantedEnd = Math.min(offset + length, committed);
    if (offset >= wantedEnd) {
      data.readerIndex(data.writerIndex());
      return ReadBuffers.of(data, committed);
    }
    if (reply.chunkOffset() < 0 || reply.chunkOffset() % BLOCK != 0
        || reply.chunkOffset() > offset || regionEnd < wantedEnd || regionEnd > committed
        || (size0 % BLOCK != 0 && regionEnd != committed)) {
      throw new DataPlaneException(DataPlaneStatus.MALFORMED, String.format(
          "server=%s chunk=%s sent region [%d, %d) for [%d, %d) committed=%d", server, handle,
          reply.chunkOffset(), regionEnd, offset, wantedEnd, committed));
    }
    CRC32C crc = new CRC32C();
    int[] expected = reply.blockCrc32c();
    int base = data.readerIndex();
    for (int i = 0; i < expected.length; i++) {
      int from = i * BLOCK;
      int to = Math.min(from + BLOCK, size0);
      crc.reset();
      // Views, not copies: a block may span several received buffers.
      for (ByteBuffer part : data.nioBuffers(base + from, to - from)) {
        crc.update(part);
      }
      int actual = (int) crc.getValue();
      if (actual != expected[i]) {
        throw new ChecksumMismatchException(server, handle, reply.chunkOffset() + from,
            expected[i], actual);
      }
    }
    int start = (int) (offset - reply.chunkOffset());
    int size = (int) (wantedEnd - offset);
    data.setIndex(base + start, base + start + size);
    return ReadBuffers.of(data, committed);
  }
}
