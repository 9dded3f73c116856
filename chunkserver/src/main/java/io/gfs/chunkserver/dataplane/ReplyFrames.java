package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.WireFormat.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Encodes the server's reply frames (docs/protocol.md §Replies). */
final class ReplyFrames {
  private ReplyFrames() {
  }

  static ByteBuf pong(ByteBufAllocator alloc, long requestId) {
    ByteBuf buf = alloc.buffer(HEADER_BYTES);
    header(buf, REPLY_BIT | PING, requestId, 0);
    return buf;
  }

  /** The READ reply's frame; {@code dataLength} raw bytes follow it outside the frame. */
  static ByteBuf readHeader(ByteBufAllocator alloc, long requestId, long chunkOffset,
      long committedLength, long dataLength, int[] blockCrc32c) {
    int body = 8 + 8 + 8 + 4 + 4 * blockCrc32c.length;
    ByteBuf buf = alloc.buffer(HEADER_BYTES + body);
    header(buf, REPLY_BIT | READ, requestId, body);
    buf.writeLong(chunkOffset).writeLong(committedLength).writeLong(dataLength);
    buf.writeInt(blockCrc32c.length);
    for (int crc : blockCrc32c) {
      buf.writeInt(crc);
    }
    return buf;
  }

  static ByteBuf committedLength(ByteBufAllocator alloc, long requestId, long committedLength) {
    ByteBuf buf = alloc.buffer(HEADER_BYTES + 8);
    header(buf, REPLY_BIT | COMMITTED_LENGTH, requestId, 8);
    return buf.writeLong(committedLength);
  }

  /** The success reply of a COMMIT: the replica's committed length and sequence after it. */
  static ByteBuf committed(ByteBufAllocator alloc, long requestId, long committedLength,
      long committedSequence) {
    ByteBuf buf = alloc.buffer(HEADER_BYTES + 16);
    header(buf, REPLY_BIT | COMMIT, requestId, 16);
    return buf.writeLong(committedLength).writeLong(committedSequence);
  }

  /** The success reply of a WRITE, APPEND or STAGE ({@code requestType}). */
  static ByteBuf writeDone(ByteBufAllocator alloc, long requestId, int requestType, long offset,
      long committedLength) {
    ByteBuf buf = alloc.buffer(HEADER_BYTES + 16);
    header(buf, REPLY_BIT | requestType, requestId, 16);
    return buf.writeLong(offset).writeLong(committedLength);
  }

  static ByteBuf error(ByteBufAllocator alloc, long requestId, Status status, String message) {
    byte[] text = truncatedUtf8(message == null ? "" : message);
    int body = 1 + 2 + text.length;
    ByteBuf buf = alloc.buffer(HEADER_BYTES + body);
    header(buf, ERROR, requestId, body);
    return buf.writeByte(status.wireCode()).writeShort(text.length).writeBytes(text);
  }

  private static void header(ByteBuf buf, int type, long requestId, int bodyLength) {
    buf.writeShort(MAGIC).writeByte(VERSION).writeByte(type);
    buf.writeInt((int) requestId).writeInt(bodyLength);
  }

  private static byte[] truncatedUtf8(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= ERROR_MESSAGE_BYTES_MAX) {
      return bytes;
    }
    // Cut on a character boundary so the client always sees valid UTF-8.
    int end = ERROR_MESSAGE_BYTES_MAX;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    return Arrays.copyOf(bytes, end);
  }
}
