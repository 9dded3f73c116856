package io.gfs.client.internal.dataplane;

import static io.gfs.client.internal.dataplane.WireFormat.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts the server's byte stream into {@link Reply}s. A READ reply's raw bytes follow its frame;
 * they are gathered, without copying, as retained slices of the received buffers into one
 * composite buffer of the announced size, which is bounded by the largest read this client asks
 * for (a copy here was the read path's largest cost). The composite goes out with the reply, whose
 * receiver releases it; one still being filled is released when the stream breaks or the
 * channel goes. A stream that breaks the protocol yields one connection-level
 * {@link Reply.Error} with status MALFORMED, after which the rest is discarded. Public only so
 * that the chunkserver's protocol tests can check it against the server's encoder.
 */
public final class ReplyDecoder extends ByteToMessageDecoder {
  private static final int BODY_BYTES_MAX = 64 * 1024;

  private final long dataBytesMax;
  // Guarded by the event loop. A READ header waiting for its data, or null.
  private Reply.ReadData pendingRead;
  private int pendingReadMissing;
  private boolean broken;

  public ReplyDecoder(long dataBytesMax) {
    this.dataBytesMax = dataBytesMax;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (broken) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (pendingRead != null) {
      fillReadData(in, out);
      return;
    }
    if (in.readableBytes() < HEADER_BYTES) {
      return;
    }
    int start = in.readerIndex();
    int magic = in.getUnsignedShort(start);
    int version = in.getUnsignedByte(start + 2);
    int type = in.getUnsignedByte(start + 3);
    long requestId = in.getUnsignedInt(start + 4);
    long bodyLength = in.getUnsignedInt(start + 8);
    if (magic != MAGIC || version != VERSION || bodyLength > BODY_BYTES_MAX) {
      fail(in, out, String.format("bad reply header magic=0x%04x version=%d body=%d", magic,
          version, bodyLength));
      return;
    }
    if (in.readableBytes() < HEADER_BYTES + bodyLength) {
      return;
    }
    in.skipBytes(HEADER_BYTES);
    ByteBuf body = in.readSlice((int) bodyLength);
    String problem = parse(ctx.alloc(), type, requestId, body, out);
    if (problem == null && body.isReadable()) {
      problem = "reply type " + type + " has " + body.readableBytes() + " trailing bytes";
    }
    if (problem != null) {
      out.clear();
      fail(in, out, problem);
    } else if (pendingRead != null) {
      fillReadData(in, out);
    }
  }

  /** Returns why the body is malformed, or null after adding a reply (or starting a read). */
  private String parse(ByteBufAllocator alloc, int type, long requestId, ByteBuf body,
      List<Object> out) {
    int size = body.readableBytes();
    switch (type) {
      case REPLY_BIT | PING -> {
        out.add(new Reply.Pong(requestId));
        return null;
      }
      case REPLY_BIT | COMMITTED_LENGTH -> {
        if (size != 8) {
          return "COMMITTED_LENGTH reply body must be 8 bytes, got " + size;
        }
        out.add(new Reply.CommittedLength(requestId, body.readLong()));
        return null;
      }
      case REPLY_BIT | WRITE, REPLY_BIT | APPEND -> {
        if (size != 16) {
          return "WRITE reply body must be 16 bytes, got " + size;
        }
        out.add(new Reply.WriteDone(requestId, type == (REPLY_BIT | APPEND), body.readLong(),
            body.readLong()));
        return null;
      }
      case ERROR -> {
        if (size < 3 || body.getUnsignedShort(body.readerIndex() + 1) != size - 3) {
          return "ERROR reply body of " + size + " bytes is inconsistent";
        }
        int code = body.readUnsignedByte();
        String message = body.readCharSequence(body.readUnsignedShort(), StandardCharsets.UTF_8)
            .toString();
        DataPlaneStatus status = DataPlaneStatus.fromWire(code);
        if (status == null || status == DataPlaneStatus.OK) {
          out.add(new Reply.Error(requestId, DataPlaneStatus.INTERNAL,
              "unknown status code " + code + ": " + message));
        } else {
          out.add(new Reply.Error(requestId, status, message));
        }
        return null;
      }
      case REPLY_BIT | READ -> {
        return startRead(alloc, requestId, body, out);
      }
      default -> {
        return String.format("unknown reply type 0x%02x", type);
      }
    }
  }

  private String startRead(ByteBufAllocator alloc, long requestId, ByteBuf body,
      List<Object> out) {
    if (body.readableBytes() < 28) {
      return "READ reply body too short: " + body.readableBytes();
    }
    long chunkOffset = body.readLong();
    long committedLength = body.readLong();
    long dataLength = body.readLong();
    long blocks = body.readUnsignedInt();
    if (dataLength < 0 || dataLength > dataBytesMax) {
      return "READ reply announces " + dataLength + " bytes, limit " + dataBytesMax;
    }
    if (blocks != (dataLength + BLOCK_BYTES - 1) / BLOCK_BYTES
        || body.readableBytes() != 4 * blocks) {
      return "READ reply has " + blocks + " checksums for " + dataLength + " bytes";
    }
    int[] crcs = new int[(int) blocks];
    for (int i = 0; i < crcs.length; i++) {
      crcs[i] = body.readInt();
    }
    if (dataLength == 0) {
      out.add(new Reply.ReadData(requestId, chunkOffset, committedLength, crcs,
          Unpooled.EMPTY_BUFFER));
    } else {
      // No component limit: a limit would make the composite consolidate, i.e. copy.
      CompositeByteBuf data = alloc.compositeBuffer(Integer.MAX_VALUE);
      pendingRead = new Reply.ReadData(requestId, chunkOffset, committedLength, crcs, data);
      pendingReadMissing = (int) dataLength;
    }
    return null;
  }

  private void fillReadData(ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), pendingReadMissing);
    if (n == 0) {
      return;
    }
    ((CompositeByteBuf) pendingRead.data()).addComponent(true, in.readRetainedSlice(n));
    pendingReadMissing -= n;
    if (pendingReadMissing == 0) {
      out.add(pendingRead);
      pendingRead = null;
    }
  }

  private void releasePending() {
    if (pendingRead != null) {
      pendingRead.release();
      pendingRead = null;
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    releasePending(); // the channel went mid-reply: nobody will receive these bytes
  }

  private void fail(ByteBuf in, List<Object> out, String message) {
    broken = true;
    releasePending();
    in.skipBytes(in.readableBytes());
    out.add(new Reply.Error(CONNECTION_REQUEST_ID, DataPlaneStatus.MALFORMED,
        "server broke the protocol: " + message));
  }
}
