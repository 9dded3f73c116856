package io.gfs.client.internal.dataplane;

import static io.gfs.client.internal.dataplane.WireFormat.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Encodes the client's request frames (docs/protocol.md §Requests). Public only so that the
 * chunkserver's protocol tests can check it against the server's decoder; not SDK API.
 */
public final class RequestFrames {
  private RequestFrames() {
  }

  public static ByteBuf ping(ByteBufAllocator alloc, long requestId) {
    ByteBuf buf = alloc.buffer(HEADER_BYTES);
    header(buf, PING, requestId, 0);
    return buf;
  }

  public static ByteBuf read(ByteBufAllocator alloc, long requestId, UUID handle, long version,
      long offset, long length, long timeoutMs) {
    ByteBuf buf = alloc.buffer(HEADER_BYTES + 44);
    header(buf, READ, requestId, 44);
    handle(buf, handle);
    buf.writeLong(version).writeLong(offset).writeLong(length);
    return buf.writeInt(clampTimeout(timeoutMs));
  }

  public static ByteBuf committedLength(ByteBufAllocator alloc, long requestId, UUID handle,
      long version, long timeoutMs) {
    ByteBuf buf = alloc.buffer(HEADER_BYTES + 28);
    header(buf, COMMITTED_LENGTH, requestId, 28);
    handle(buf, handle);
    return buf.writeLong(version).writeInt(clampTimeout(timeoutMs));
  }

  /** WRITE when {@code offset >= 0}, APPEND when {@code offset == -1}. */
  public static ByteBuf beginWrite(ByteBufAllocator alloc, long requestId, UUID handle,
      long version, long offset, long length, int crc32c, long timeoutMs) {
    ByteBuf buf = alloc.buffer(HEADER_BYTES + 48);
    header(buf, offset == -1 ? APPEND : WRITE, requestId, 48);
    handle(buf, handle);
    buf.writeLong(version).writeLong(offset).writeLong(length);
    return buf.writeInt(crc32c).writeInt(clampTimeout(timeoutMs));
  }

  /**
   * A DATA frame carrying {@code piece}. A direct piece is wrapped, not copied, and must stay
   * unchanged until sent. A heap piece is copied once into a direct buffer from {@code alloc}:
   * the socket can only send direct memory, and Netty, handed a frame with a heap part, would
   * first merge header and piece into a new heap buffer and then copy that into a fresh direct
   * one — two copies, and for a 1 MiB frame plus header an unpooled (zeroed) allocation each.
   * Header and body stay separate direct buffers, sent together with one gathering write.
   */
  public static ByteBuf data(ByteBufAllocator alloc, long requestId, ByteBuffer piece) {
    int length = piece.remaining();
    ByteBuf header = alloc.directBuffer(HEADER_BYTES);
    header(header, DATA, requestId, length);
    if (piece.isDirect()) {
      return Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(piece));
    }
    ByteBuf body;
    try {
      body = alloc.directBuffer(length, length);
      body.writeBytes(piece.duplicate());
    } catch (RuntimeException | Error e) {
      header.release();
      throw e;
    }
    return Unpooled.wrappedBuffer(header, body);
  }

  private static void header(ByteBuf buf, int type, long requestId, int bodyLength) {
    if (requestId <= 0 || requestId > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("request id out of range: " + requestId);
    }
    buf.writeShort(MAGIC).writeByte(VERSION).writeByte(type);
    buf.writeInt((int) requestId).writeInt(bodyLength);
  }

  private static void handle(ByteBuf buf, UUID handle) {
    buf.writeLong(handle.getMostSignificantBits()).writeLong(handle.getLeastSignificantBits());
  }

  /** u32 milliseconds on the wire; 0 would mean "server default", so never send it. */
  private static int clampTimeout(long timeoutMs) {
    return (int) Math.max(1, Math.min(timeoutMs, 0xFFFF_FFFFL));
  }
}
