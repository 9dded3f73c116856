package io.gfs.chunkserver.dataplane;

import java.nio.ByteBuffer;
import java.util.UUID;

/** Request bodies built by hand, so tests can put any value in any field. */
final class RawFrames {
  private RawFrames() {
  }

  static byte[] read(long requestId, UUID handle, long version, long offset, long length) {
    ByteBuffer b = ByteBuffer.allocate(WireFormat.READ_BODY_BYTES);
    b.putLong(handle.getMostSignificantBits()).putLong(handle.getLeastSignificantBits());
    b.putLong(version).putLong(offset).putLong(length).putInt(30_000);
    return RawConnection.frame(WireFormat.READ, requestId, b.array());
  }

  static byte[] beginWrite(long requestId, boolean append, UUID handle, long version, long offset,
      long length, int crc32c) {
    ByteBuffer b = ByteBuffer.allocate(WireFormat.WRITE_BODY_BYTES);
    b.putLong(handle.getMostSignificantBits()).putLong(handle.getLeastSignificantBits());
    b.putLong(version).putLong(offset).putLong(length).putInt(crc32c).putInt(60_000);
    return RawConnection.frame(append ? WireFormat.APPEND : WireFormat.WRITE, requestId,
        b.array());
  }

  static byte[] data(long requestId, byte[] bytes) {
    return RawConnection.frame(WireFormat.DATA, requestId, bytes);
  }

  static byte[] ping(long requestId) {
    return RawConnection.frame(WireFormat.PING, requestId, new byte[0]);
  }
}
