package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.WireFormat.*;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gfs.proto.MutationHeader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.UUID;

/**
 * Cuts the client's byte stream into {@link Request}s. Checks every header field before waiting
 * for the body, so a hostile length never makes the server buffer more than one bounded frame.
 * After the first framing error it emits one {@link Request.Violation} and swallows the rest of
 * the stream; the connection handler answers the violation and closes.
 */
final class RequestDecoder extends ByteToMessageDecoder {
  private final int dataFrameBytesMax;
  private boolean broken; // guarded by the channel's event loop

  RequestDecoder(int dataFrameBytesMax) {
    if (dataFrameBytesMax < 1) {
      throw new IllegalArgumentException("dataFrameBytesMax must be positive: "
          + dataFrameBytesMax);
    }
    this.dataFrameBytesMax = dataFrameBytesMax;
    // A DATA frame of up to 1 MiB arrives in reads of up to 64 KiB: gathered as components
    // instead of copied into one ever larger buffer (which also allocated a new, zeroed one
    // each time it grew), so a piece reaches the stage file without a copy of ours.
    setCumulator(COMPOSITE_CUMULATOR);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (broken) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int start = in.readerIndex();
    if (in.readableBytes() >= 2 && in.getUnsignedShort(start) != MAGIC) {
      fail(in, out, CONNECTION_REQUEST_ID, Status.BAD_MAGIC,
          String.format("expected magic 0x%04x, got 0x%04x", MAGIC, in.getUnsignedShort(start)));
      return;
    }
    if (in.readableBytes() < HEADER_BYTES) {
      return;
    }
    int version = in.getUnsignedByte(start + 2);
    int type = in.getUnsignedByte(start + 3);
    long requestId = in.getUnsignedInt(start + 4);
    long bodyLength = in.getUnsignedInt(start + 8);
    if (version != VERSION) {
      fail(in, out, requestId, Status.UNSUPPORTED_VERSION,
          "unsupported protocol version " + version + ", this server speaks " + VERSION);
      return;
    }
    String headerError = checkHeader(type, requestId, bodyLength);
    if (headerError != null) {
      Status status = bodyLength > dataFrameBytesMax ? Status.FRAME_TOO_LARGE
          : isKnown(type) ? Status.MALFORMED : Status.UNKNOWN_OPERATION;
      fail(in, out, requestId, status, headerError);
      return;
    }
    if (in.readableBytes() < HEADER_BYTES + bodyLength) {
      return;
    }
    in.skipBytes(HEADER_BYTES);
    if (type == STAGE || type == COMMIT) {
      decodeMutation(type, in, out, requestId, (int) bodyLength);
      return;
    }
    out.add(parseBody(type, requestId, (int) bodyLength, in));
  }

  /** STAGE or COMMIT: a timeout, then a MutationHeader. */
  private void decodeMutation(int type, ByteBuf in, List<Object> out, long requestId,
      int bodyLength) {
    long timeoutMs = in.readUnsignedInt();
    byte[] header = new byte[bodyLength - 4];
    in.readBytes(header);
    MutationHeader mutation;
    UUID handle;
    try {
      mutation = MutationHeader.parseFrom(header);
      handle = mutation.getHandle().isEmpty() && type == STAGE ? new UUID(0, 0)
          : UUID.fromString(mutation.getHandle());
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      fail(in, out, requestId, Status.MALFORMED, "unreadable " + mutationName(type)
          + " header: " + e.getMessage());
      return;
    }
    out.add(type == STAGE ? Request.BeginWrite.stage(requestId, handle, mutation, timeoutMs)
        : new Request.Commit(requestId, mutation, timeoutMs));
  }

  private static String mutationName(int type) {
    return type == STAGE ? "STAGE" : "COMMIT";
  }

  /** Returns why the header is unacceptable, or null. */
  private String checkHeader(int type, long requestId, long bodyLength) {
    if (bodyLength > dataFrameBytesMax) {
      return "frame body of " + bodyLength + " bytes exceeds the limit of " + dataFrameBytesMax;
    }
    if (!isKnown(type)) {
      return String.format("unknown operation 0x%02x", type);
    }
    if (requestId == CONNECTION_REQUEST_ID) {
      return "request id 0 is reserved";
    }
    long expected = switch (type) {
      case PING -> 0;
      case READ -> READ_BODY_BYTES;
      case COMMITTED_LENGTH -> COMMITTED_LENGTH_BODY_BYTES;
      case WRITE, APPEND -> WRITE_BODY_BYTES;
      default -> -1; // DATA: any length from 1 to the limit; STAGE, COMMIT: checked below
    };
    if ((type == STAGE || type == COMMIT)
        && (bodyLength < 4 || bodyLength > 4 + STAGE_HEADER_BYTES_MAX)) {
      return mutationName(type) + " needs a body of 4 to "
          + (4 + STAGE_HEADER_BYTES_MAX) + " bytes, got " + bodyLength;
    }
    if (expected >= 0 && bodyLength != expected) {
      return String.format("operation 0x%02x needs a body of %d bytes, got %d", type, expected,
          bodyLength);
    }
    if (type == DATA && bodyLength == 0) {
      return "empty DATA frame";
    }
    return null;
  }

  private static boolean isKnown(int type) {
    return type >= PING && type <= COMMIT;
  }

  private static Request parseBody(int type, long requestId, int bodyLength, ByteBuf in) {
    return switch (type) {
      case PING -> new Request.Ping(requestId);
      case READ -> new Request.Read(requestId, readHandle(in), in.readLong(), in.readLong(),
          in.readLong(), in.readUnsignedInt());
      case COMMITTED_LENGTH -> new Request.CommittedLength(requestId, readHandle(in),
          in.readLong(), in.readUnsignedInt());
      case WRITE, APPEND -> new Request.BeginWrite(requestId, type == APPEND, readHandle(in),
          in.readLong(), in.readLong(), in.readLong(), in.readInt(), in.readUnsignedInt());
      case DATA -> new Request.Data(requestId, in.readRetainedSlice(bodyLength));
      default -> throw new IllegalStateException("type checked in checkHeader: " + type);
    };
  }

  private static UUID readHandle(ByteBuf in) {
    return new UUID(in.readLong(), in.readLong());
  }

  private void fail(ByteBuf in, List<Object> out, long requestId, Status status, String message) {
    broken = true;
    in.skipBytes(in.readableBytes());
    out.add(new Request.Violation(requestId, status, message));
  }
}
