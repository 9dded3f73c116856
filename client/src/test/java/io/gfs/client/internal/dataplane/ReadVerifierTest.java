package io.gfs.client.internal.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ReadVerifierTest {
  private static final int BLOCK = WireFormat.BLOCK_BYTES;
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 8080);
  private static final UUID HANDLE = UUID.randomUUID();

  /** A server's reply for a chunk holding {@code chunk}, covering blocks [first, last]. */
  private static Reply.ReadData reply(byte[] chunk, int firstBlock, int lastBlock) {
    int from = firstBlock * BLOCK;
    int to = Math.min((lastBlock + 1) * BLOCK, chunk.length);
    byte[] data = Arrays.copyOfRange(chunk, from, to);
    int[] crcs = new int[(data.length + BLOCK - 1) / BLOCK];
    for (int i = 0; i < crcs.length; i++) {
      CRC32C crc = new CRC32C();
      crc.update(data, i * BLOCK, Math.min(BLOCK, data.length - i * BLOCK));
      crcs[i] = (int) crc.getValue();
    }
    return new Reply.ReadData(1, from, chunk.length, crcs, Unpooled.wrappedBuffer(data));
  }

  /** The same reply with its data cut into many small direct buffers, as the network gives it. */
  private static Reply.ReadData fragmented(Reply.ReadData r, int pieceBytes) {
    CompositeByteBuf parts = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    ByteBuf src = r.data();
    while (src.isReadable()) {
      int n = Math.min(pieceBytes, src.readableBytes());
      ByteBuf part = Unpooled.directBuffer(n);
      src.readBytes(part, n);
      parts.addComponent(true, part);
    }
    src.release();
    return new Reply.ReadData(r.requestId(), r.chunkOffset(), r.committedLength(),
        r.blockCrc32c(), parts);
  }

  private static byte[] chunk(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  private static byte[] bytes(ReadBuffers r) {
    try (r) {
      byte[] out = new byte[r.remaining()];
      r.copyTo(out, 0, out.length);
      return out;
    }
  }

  @Test
  void trimsBlockAlignedBytesToTheRequestedRange() {
    byte[] chunk = chunk(3 * BLOCK + 100);
    ReadBuffers r = ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 0, 1), BLOCK - 3, 10);
    assertThat(r.committedLength()).isEqualTo(chunk.length);
    assertThat(bytes(r)).isEqualTo(Arrays.copyOfRange(chunk, BLOCK - 3, BLOCK + 7));
  }

  @Test
  void neverReturnsBytesPastTheCommittedLength() {
    byte[] chunk = chunk(BLOCK + 100);
    ReadBuffers r = ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 1, 1), BLOCK + 50,
        1_000_000);
    assertThat(bytes(r)).isEqualTo(Arrays.copyOfRange(chunk, BLOCK + 50, BLOCK + 100));
  }

  @Test
  void readAtOrAfterTheEndIsEmpty() {
    byte[] chunk = chunk(100);
    Reply.ReadData empty = new Reply.ReadData(1, 0, 100, new int[0], Unpooled.EMPTY_BUFFER);
    assertThat(bytes(ReadVerifier.verifyAndTrim(SERVER, HANDLE, empty, 100, 5))).isEmpty();
    assertThat(bytes(ReadVerifier.verifyAndTrim(SERVER, HANDLE, empty, 1 << 20, 5))).isEmpty();
    assertThat(bytes(ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 0, 0), 0, 100)))
        .isEqualTo(chunk);
  }

  @Test
  void aCorruptBlockAnywhereInTheReplyIsReportedWithItsOffset() {
    byte[] chunk = chunk(2 * BLOCK + 1);
    Reply.ReadData good = reply(chunk, 0, 2);
    // The last, one-byte block; outside the requested range.
    good.data().setByte(2 * BLOCK, good.data().getByte(2 * BLOCK) ^ 1);
    assertThatThrownBy(() -> ReadVerifier.verifyAndTrim(SERVER, HANDLE, good, 0, 10))
        .isInstanceOfSatisfying(ChecksumMismatchException.class, e -> {
          assertThat(e.blockOffset()).isEqualTo(2L * BLOCK);
          assertThat(e.status()).isEqualTo(DataPlaneStatus.CHECKSUM_MISMATCH);
          assertThat(e.handle()).isEqualTo(HANDLE);
        });
    assertThat(good.data().refCnt()).as("released on failure").isZero();
  }

  @Test
  void verifiesBlocksThatSpanManyReceivedBuffersWithoutCopyingThem() {
    byte[] chunk = chunk(4 * BLOCK + 777);
    for (int piece : new int[] {1000, 4096, BLOCK, BLOCK + 1}) {
      Reply.ReadData r = fragmented(reply(chunk, 1, 4), piece);
      ByteBuf data = r.data();
      ReadBuffers got = ReadVerifier.verifyAndTrim(SERVER, HANDLE, r, BLOCK + 5, 3 * BLOCK);
      assertThat(bytes(got)).isEqualTo(Arrays.copyOfRange(chunk, BLOCK + 5, 4 * BLOCK + 5));
      assertThat(data.refCnt()).as("released once when closed").isZero();
      got.close(); // closing twice is harmless

      Reply.ReadData bad = fragmented(reply(chunk, 1, 4), piece);
      bad.data().setByte(3 * BLOCK + 9, bad.data().getByte(3 * BLOCK + 9) ^ 0x40);
      assertThatThrownBy(() -> ReadVerifier.verifyAndTrim(SERVER, HANDLE, bad, BLOCK, 10))
          .isInstanceOfSatisfying(ChecksumMismatchException.class,
              e -> assertThat(e.blockOffset()).isEqualTo(4L * BLOCK));
      assertThat(bad.data().refCnt()).isZero();
    }
  }

  @Test
  void aLastPartialBlockIsVerifiedAndReturnedWhole() {
    byte[] chunk = chunk(2 * BLOCK + 123);
    Reply.ReadData r = fragmented(reply(chunk, 1, 2), 5000);
    assertThat(bytes(ReadVerifier.verifyAndTrim(SERVER, HANDLE, r, BLOCK, 1 << 20)))
        .isEqualTo(Arrays.copyOfRange(chunk, BLOCK, chunk.length));
  }

  @Test
  void aRegionThatDoesNotCoverTheRequestIsAProtocolError() {
    byte[] chunk = chunk(3 * BLOCK);
    Reply.ReadData wrongRegion = reply(chunk, 1, 1);
    assertThatThrownBy(() -> ReadVerifier.verifyAndTrim(SERVER, HANDLE, wrongRegion, 0,
        10)).isInstanceOfSatisfying(DataPlaneException.class,
            e -> assertThat(e.status()).isEqualTo(DataPlaneStatus.MALFORMED));
    assertThat(wrongRegion.data().refCnt()).isZero();
    assertThatThrownBy(() -> ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 0, 0), 0,
        BLOCK + 1)).isInstanceOf(DataPlaneException.class);
  }

  @Test
  void buffersACancelledCallerCanNoLongerReceiveAreClosedWhenTheyArrive() {
    java.util.concurrent.CompletableFuture<ReadBuffers> source =
        new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<ReadBuffers> derived = source.thenApply(b -> b);
    ReadBuffers.closeIfCancelled(derived, source);
    derived.cancel(false);
    ByteBuf data = Unpooled.directBuffer(10).writeZero(10);
    source.complete(ReadBuffers.of(data, 10));
    assertThat(data.refCnt()).isZero();

    java.util.concurrent.CompletableFuture<ReadBuffers> kept =
        new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<ReadBuffers> handedOn = kept.thenApply(b -> b);
    ReadBuffers.closeIfCancelled(handedOn, kept);
    ByteBuf owned = Unpooled.directBuffer(10).writeZero(10);
    kept.complete(ReadBuffers.of(owned, 10));
    assertThat(handedOn.cancel(false)).isFalse();
    assertThat(owned.refCnt()).as("the caller owns it now").isEqualTo(1);
    handedOn.join().close();
    assertThat(owned.refCnt()).isZero();
  }
}
