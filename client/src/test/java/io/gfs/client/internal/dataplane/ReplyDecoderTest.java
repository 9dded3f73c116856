package io.gfs.client.internal.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The client must survive a broken or hostile server just as the server survives clients. */
class ReplyDecoderTest {
  private static List<Reply> decode(byte[] input, int pieceMax, Random random) {
    EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(1 << 20));
    for (int at = 0; at < input.length; ) {
      int n = Math.min(input.length - at, 1 + random.nextInt(pieceMax));
      ch.writeInbound(Unpooled.wrappedBuffer(input, at, n));
      at += n;
    }
    ch.checkException();
    List<Reply> out = new ArrayList<>();
    for (Object o; (o = ch.readInbound()) != null; ) {
      out.add((Reply) o);
    }
    ch.finishAndReleaseAll();
    return out;
  }

  private static byte[] frame(int type, long id, byte[] body) {
    ByteBuf b = Unpooled.buffer();
    b.writeShort(WireFormat.MAGIC).writeByte(1).writeByte(type).writeInt((int) id)
        .writeInt(body.length).writeBytes(body);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  @Test
  void readDataLargerThanTheLimitIsRefusedWithoutAllocatingIt() {
    ByteBuf body = Unpooled.buffer().writeLong(0).writeLong(0).writeLong(1L << 40).writeInt(0);
    byte[] bodyBytes = new byte[body.readableBytes()];
    body.readBytes(bodyBytes);
    List<Reply> out = decode(frame(0x82, 1, bodyBytes), 1000, new Random(1));
    assertThat(out).singleElement().isInstanceOfSatisfying(Reply.Error.class, e -> {
      assertThat(e.requestId()).isZero();
      assertThat(e.status()).isEqualTo(DataPlaneStatus.MALFORMED);
    });
  }

  @Test
  void unknownStatusCodesAndReplyTypesAreReportedNotThrown() {
    byte[] unknownStatus = frame(0xFF, 3, new byte[] {(byte) 200, 0, 1, 'x'});
    assertThat(decode(unknownStatus, 100, new Random(2))).singleElement()
        .isInstanceOfSatisfying(Reply.Error.class,
            e -> assertThat(e.status()).isEqualTo(DataPlaneStatus.INTERNAL));
    assertThat(decode(frame(0x99, 3, new byte[0]), 100, new Random(3))).singleElement()
        .isInstanceOfSatisfying(Reply.Error.class,
            e -> assertThat(e.status()).isEqualTo(DataPlaneStatus.MALFORMED));
  }

  @Test
  void randomBytesNeverEscapeTheDecoder() {
    Random master = new Random(77);
    for (int i = 0; i < 300; i++) {
      long seed = master.nextLong();
      Random random = new Random(seed);
      byte[] input = new byte[1 + random.nextInt(200)];
      random.nextBytes(input);
      if (random.nextBoolean()) {
        input[0] = 0x47;
        input[1 % input.length] = 0x46;
      }
      List<Reply> out = decode(input, 50, random);
      // At most one reply from the stream: after the first error the rest is ignored.
      assertThat(out).as("seed %d", seed).hasSizeLessThanOrEqualTo(1);
    }
  }

  /** A READ reply of {@code data} cut into direct buffers of at most pieceMax bytes, tracked. */
  private static List<ByteBuf> readReply(long id, byte[] data, int pieceMax, Random random) {
    int blocks = (data.length + WireFormat.BLOCK_BYTES - 1) / WireFormat.BLOCK_BYTES;
    ByteBuf body = Unpooled.buffer().writeLong(0).writeLong(data.length).writeLong(data.length)
        .writeInt(blocks);
    for (int b = 0; b < blocks; b++) {
      body.writeInt(b);
    }
    byte[] bodyBytes = new byte[body.readableBytes()];
    body.readBytes(bodyBytes);
    byte[] header = frame(0x82, id, bodyBytes);
    byte[] all = new byte[header.length + data.length];
    System.arraycopy(header, 0, all, 0, header.length);
    System.arraycopy(data, 0, all, header.length, data.length);
    List<ByteBuf> pieces = new ArrayList<>();
    for (int at = 0; at < all.length; ) {
      int n = Math.min(all.length - at, 1 + random.nextInt(pieceMax));
      pieces.add(Unpooled.directBuffer(n).writeBytes(all, at, n));
      at += n;
    }
    return pieces;
  }

  @Test
  void readDataIsHandedOnInTheReceivedBuffersAndReleasedWithTheReply() {
    Random random = new Random(5);
    byte[] data = new byte[3 * WireFormat.BLOCK_BYTES + 1234];
    random.nextBytes(data);
    List<ByteBuf> pieces = readReply(9, data, 20_000, random);
    EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(1 << 20));
    for (ByteBuf p : pieces) {
      p.retain(); // kept by the test to look at refCnt afterwards
      ch.writeInbound(p);
    }
    Reply.ReadData reply = ch.readInbound();
    assertThat(ch.finish()).isFalse();
    assertThat(io.netty.buffer.ByteBufUtil.getBytes(reply.data())).isEqualTo(data);
    assertThat(pieces).anySatisfy(p -> assertThat(p.refCnt()).isGreaterThan(1));
    reply.release();
    assertThat(pieces).allSatisfy(p -> assertThat(p.refCnt()).isEqualTo(1));
    pieces.forEach(ByteBuf::release);
  }

  @Test
  void aReplyCutOffByTheConnectionsEndReleasesWhatItGathered() {
    Random random = new Random(6);
    byte[] data = new byte[2 * WireFormat.BLOCK_BYTES];
    random.nextBytes(data);
    List<ByteBuf> pieces = readReply(10, data, 10_000, random);
    EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder(1 << 20));
    for (ByteBuf p : pieces.subList(0, pieces.size() - 1)) {
      p.retain();
      ch.writeInbound(p);
    }
    assertThat((Object) ch.readInbound()).isNull();
    ch.finishAndReleaseAll();
    assertThat(pieces.subList(0, pieces.size() - 1))
        .allSatisfy(p -> assertThat(p.refCnt()).isEqualTo(1));
    pieces.forEach(ByteBuf::release);
  }
}
