package io.gfs.chunkserver.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.internal.dataplane.DataPlaneStatus;
import io.gfs.client.internal.dataplane.Reply;
import io.gfs.client.internal.dataplane.ReplyDecoder;
import io.gfs.client.internal.dataplane.RequestFrames;
import io.gfs.proto.MutationHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every frame type, encoded by one side and decoded by the other: the client's encoder against
 * the server's decoder and the server's encoder against the client's decoder. The two modules
 * implement docs/protocol.md independently, so this is what keeps them in agreement. Each frame
 * is also fed one byte at a time, as TCP may deliver it.
 */
class FrameCodecTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private static final UUID HANDLE = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

  /** A frame header written by hand (version 1, request id 1), for bodies no encoder makes. */
  private static ByteBuf rawHeader(int type, int bodyLength) {
    return Unpooled.buffer().writeShort(WireFormat.MAGIC).writeByte(1).writeByte(type).writeInt(1)
        .writeInt(bodyLength);
  }

  private static List<Object> decodeRequests(ByteBuf frame, boolean byteByByte) {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(1 << 20));
    feed(ch, frame, byteByByte);
    List<Object> out = new ArrayList<>();
    for (Object o; (o = ch.readInbound()) != null; ) {
      out.add(o);
    }
    ch.finishAndReleaseAll();
    return out;
  }

  private static List<Object> decodeReplies(ByteBuf frame, boolean byteByByte) {
    EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(8 << 20));
    feed(ch, frame, byteByByte);
    List<Object> out = new ArrayList<>();
    for (Object o; (o = ch.readInbound()) != null; ) {
      out.add(o);
    }
    ch.finishAndReleaseAll();
    return out;
  }

  private static void feed(EmbeddedChannel ch, ByteBuf frame, boolean byteByByte) {
    if (!byteByByte) {
      ch.writeInbound(frame);
      return;
    }
    while (frame.isReadable()) {
      ch.writeInbound(frame.readRetainedSlice(1));
    }
    frame.release();
  }

  @Test
  void requestsRoundTrip() {
    for (boolean split : new boolean[] {false, true}) {
      assertThat(decodeRequests(RequestFrames.ping(ALLOC, 1), split))
          .containsExactly(new Request.Ping(1));
      assertThat(decodeRequests(RequestFrames.read(ALLOC, 0xFFFF_FFFFL, HANDLE, 9, 123_456,
          Integer.MAX_VALUE, 2500), split))
          .containsExactly(new Request.Read(0xFFFF_FFFFL, HANDLE, 9, 123_456, Integer.MAX_VALUE,
              2500));
      assertThat(decodeRequests(RequestFrames.committedLength(ALLOC, 3, HANDLE, 4, 1), split))
          .containsExactly(new Request.CommittedLength(3, HANDLE, 4, 1));
      assertThat(decodeRequests(RequestFrames.beginWrite(ALLOC, 4, HANDLE, 5, 65_536, 77,
          0xCAFEBABE, 60_000), split))
          .containsExactly(new Request.BeginWrite(4, false, HANDLE, 5, 65_536, 77, 0xCAFEBABE,
              60_000));
      assertThat(decodeRequests(RequestFrames.beginWrite(ALLOC, 5, HANDLE, 5, -1, 1, 7,
          Long.MAX_VALUE), split))
          .containsExactly(new Request.BeginWrite(5, true, HANDLE, 5, -1, 1, 7, 0xFFFF_FFFFL));
      byte[] bytes = {1, 2, 3, 4, 5};
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
      // a heap piece is copied into a direct body, a direct one wrapped; both decode the same
      for (ByteBuffer piece : List.of(ByteBuffer.wrap(bytes), direct)) {
        ByteBuf frame = RequestFrames.data(ALLOC, 6, piece);
        assertThat(frame.isDirect()).as("sendable without another copy").isTrue();
        List<Object> data = decodeRequests(frame, split);
        assertThat(data).hasSize(1);
        Request.Data d = (Request.Data) data.get(0);
        assertThat(d.requestId()).isEqualTo(6);
        byte[] got = new byte[d.bytes().readableBytes()];
        d.bytes().readBytes(got);
        d.bytes().release();
        assertThat(got).isEqualTo(bytes);
        assertThat(piece.remaining()).as("piece's position untouched").isEqualTo(bytes.length);
      }
    }
  }

  @Test
  void aPrimarysStageFramesDecode() {
    MutationHeader h = MutationHeader.newBuilder().setHandle(HANDLE.toString()).setVersion(3)
        .setPrimaryId("cs1").setLength(70_000).setCrc32C(0xCAFEBABE).setStageId(99)
        .setRequestedOffset(65_536).build();
    for (boolean split : new boolean[] {false, true}) {
      assertThat(decodeRequests(PeerStages.stageFrame(7, 1500, h), split)).containsExactly(
          new Request.BeginWrite(7, false, HANDLE, 3, -1, 70_000, 0xCAFEBABE, 1500, h));
      List<Object> probe = decodeRequests(PeerStages.stageFrame(8, 0,
          MutationHeader.getDefaultInstance()), split);
      assertThat(probe).hasSize(1);
      assertThat(((Request.BeginWrite) probe.get(0)).isStageProbe()).isTrue();
      ByteBuf frames = Unpooled.wrappedBuffer(PeerStages.dataHeader(9, 3),
          Unpooled.wrappedBuffer(new byte[] {4, 5, 6}));
      Request.Data d = (Request.Data) decodeRequests(frames, split).get(0);
      assertThat(d.requestId()).isEqualTo(9);
      assertThat(d.bytes().readableBytes()).isEqualTo(3);
      d.bytes().release();
    }
    assertThat(((Request.BeginWrite) decodeRequests(PeerStages.stageFrame(7, 0, h), false)
        .get(0)).replyType()).isEqualTo(WireFormat.STAGE);
  }

  @Test
  void aPrimarysCommitFramesDecodeAndBadOnesAreViolations() {
    MutationHeader h = MutationHeader.newBuilder().setHandle(HANDLE.toString()).setVersion(3)
        .setPrimaryId("cs1").setLength(4096).setCrc32C(0xCAFEBABE).setStageId(99)
        .setSequence(5).setPrevSequence(4).setOffset(8192).build();
    for (boolean split : new boolean[] {false, true}) {
      assertThat(decodeRequests(PeerStages.mutationFrame(WireFormat.COMMIT, 7, 1500, h), split))
          .containsExactly(new Request.Commit(7, h, 1500));
    }
    // a COMMIT names a chunk: an empty or garbled handle is no probe here
    for (MutationHeader bad : List.of(MutationHeader.getDefaultInstance(),
        h.toBuilder().setHandle("not-a-uuid").build())) {
      Request.Violation v = (Request.Violation) decodeRequests(
          PeerStages.mutationFrame(WireFormat.COMMIT, 2, 0, bad), false).get(0);
      assertThat(v.status()).isEqualTo(Status.MALFORMED);
      assertThat(v.message()).contains("unreadable COMMIT header");
    }
    ByteBuf shortBody = rawHeader(WireFormat.COMMIT, 2).writeShort(0);
    assertThat(((Request.Violation) decodeRequests(shortBody, false).get(0)).status())
        .isEqualTo(Status.MALFORMED);
    ByteBuf tooLong = rawHeader(WireFormat.COMMIT, 4 + 4097).writeZero(4 + 4097);
    assertThat(((Request.Violation) decodeRequests(tooLong, false).get(0)).message())
        .contains("COMMIT needs a body of 4 to 4100 bytes");
  }

  @Test
  void stageFramesWithAnUnreadableHeaderOrATooShortBodyAreViolations() {
    ByteBuf garbage = rawHeader(WireFormat.STAGE, 4 + 3).writeInt(0)
        .writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    Request.Violation v = (Request.Violation) decodeRequests(garbage, false).get(0);
    assertThat(v.status()).isEqualTo(Status.MALFORMED);
    assertThat(v.message()).contains("unreadable STAGE header");
    ByteBuf shortBody = rawHeader(WireFormat.STAGE, 2).writeShort(0);
    assertThat(((Request.Violation) decodeRequests(shortBody, false).get(0)).status())
        .isEqualTo(Status.MALFORMED);
    ByteBuf badHandle = PeerStages.stageFrame(2, 0, MutationHeader.newBuilder()
        .setHandle("not-a-uuid").setLength(1).build());
    assertThat(((Request.Violation) decodeRequests(badHandle, false).get(0)).status())
        .isEqualTo(Status.MALFORMED);
  }

  @Test
  void repliesRoundTrip() {
    for (boolean split : new boolean[] {false, true}) {
      assertThat(decodeReplies(ReplyFrames.pong(ALLOC, 1), split))
          .containsExactly(new Reply.Pong(1));
      assertThat(decodeReplies(ReplyFrames.committedLength(ALLOC, 2, 1 << 26), split))
          .containsExactly(new Reply.CommittedLength(2, 1 << 26));
      assertThat(decodeReplies(ReplyFrames.writeDone(ALLOC, 3, WireFormat.WRITE, 10, 20), split))
          .containsExactly(new Reply.WriteDone(3, false, 10, 20));
      assertThat(decodeReplies(ReplyFrames.writeDone(ALLOC, 4, WireFormat.APPEND, 30, 40), split))
          .containsExactly(new Reply.WriteDone(4, true, 30, 40));
      assertThat(decodeReplies(ReplyFrames.error(ALLOC, 5, Status.CHUNK_FULL, "sealed"), split))
          .containsExactly(new Reply.Error(5, DataPlaneStatus.CHUNK_FULL, "sealed"));

      byte[] data = new byte[65_536 + 10];
      new java.util.Random(7).nextBytes(data);
      ByteBuf read = Unpooled.wrappedBuffer(
          ReplyFrames.readHeader(ALLOC, 6, 131_072, 131_072 + data.length, data.length,
              new int[] {11, 22}),
          Unpooled.wrappedBuffer(data));
      List<Object> replies = decodeReplies(read, split);
      assertThat(replies).hasSize(1);
      Reply.ReadData r = (Reply.ReadData) replies.get(0);
      assertThat(r.requestId()).isEqualTo(6);
      assertThat(r.chunkOffset()).isEqualTo(131_072);
      assertThat(r.committedLength()).isEqualTo(131_072 + data.length);
      assertThat(r.blockCrc32c()).containsExactly(11, 22);
      assertThat(io.netty.buffer.ByteBufUtil.getBytes(r.data())).isEqualTo(data);
      r.release();

      List<Object> empty = decodeReplies(ReplyFrames.readHeader(ALLOC, 7, 0, 0, 0, new int[0]),
          split);
      assertThat(((Reply.ReadData) empty.get(0)).data().readableBytes()).isZero();
    }
  }

  @Test
  void everyServerStatusMeansTheSameToTheClient() {
    for (Status s : Status.values()) {
      if (s == Status.OK) {
        continue;
      }
      List<Object> replies = decodeReplies(ReplyFrames.error(ALLOC, 9, s, "m"), false);
      assertThat(((Reply.Error) replies.get(0)).status().name()).isEqualTo(s.name());
      assertThat(DataPlaneStatus.valueOf(s.name()).wireCode()).isEqualTo(s.wireCode());
    }
    for (ChunkException.Code code : ChunkException.Code.values()) {
      assertThat(Status.of(code).name()).isEqualTo(code.name());
    }
  }

  @Test
  void longErrorMessagesAreCutOnACharacterBoundary() {
    String message = "é".repeat(2000); // 2 bytes each in UTF-8
    Reply.Error e = (Reply.Error) decodeReplies(
        ReplyFrames.error(ALLOC, 1, Status.INTERNAL, message), false).get(0);
    assertThat(e.message()).isEqualTo("é".repeat(512));
  }

  @Test
  void pipelinedRequestsInOneBufferDecodeInOrder() {
    ByteBuf all = Unpooled.wrappedBuffer(RequestFrames.ping(ALLOC, 1),
        RequestFrames.read(ALLOC, 2, HANDLE, 1, 0, 10, 5), RequestFrames.ping(ALLOC, 3));
    assertThat(decodeRequests(all, false)).extracting(o -> ((Request) o).requestId())
        .containsExactly(1L, 2L, 3L);
  }
}
