package io.gfs.client.internal.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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
    return new Reply.ReadData(1, from, chunk.length, crcs, data);
  }

  private static byte[] chunk(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  private static byte[] bytes(ReadResult r) {
    ByteBuffer d = r.data().duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  @Test
  void trimsBlockAlignedBytesToTheRequestedRange() {
    byte[] chunk = chunk(3 * BLOCK + 100);
    ReadResult r = ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 0, 1), BLOCK - 3, 10);
    assertThat(bytes(r)).isEqualTo(Arrays.copyOfRange(chunk, BLOCK - 3, BLOCK + 7));
    assertThat(r.committedLength()).isEqualTo(chunk.length);
    assertThat(r.data().isReadOnly()).isTrue();
  }

  @Test
  void neverReturnsBytesPastTheCommittedLength() {
    byte[] chunk = chunk(BLOCK + 100);
    ReadResult r = ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 1, 1), BLOCK + 50,
        1_000_000);
    assertThat(bytes(r)).isEqualTo(Arrays.copyOfRange(chunk, BLOCK + 50, BLOCK + 100));
  }

  @Test
  void readAtOrAfterTheEndIsEmpty() {
    byte[] chunk = chunk(100);
    Reply.ReadData empty = new Reply.ReadData(1, 0, 100, new int[0], new byte[0]);
    assertThat(ReadVerifier.verifyAndTrim(SERVER, HANDLE, empty, 100, 5).data().remaining())
        .isZero();
    assertThat(ReadVerifier.verifyAndTrim(SERVER, HANDLE, empty, 1 << 20, 5).data().remaining())
        .isZero();
    assertThat(bytes(ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 0, 0), 0, 100)))
        .isEqualTo(chunk);
  }

  @Test
  void aCorruptBlockAnywhereInTheReplyIsReportedWithItsOffset() {
    byte[] chunk = chunk(2 * BLOCK + 1);
    Reply.ReadData good = reply(chunk, 0, 2);
    good.data()[2 * BLOCK] ^= 1; // the last, one-byte block; outside the requested range
    assertThatThrownBy(() -> ReadVerifier.verifyAndTrim(SERVER, HANDLE, good, 0, 10))
        .isInstanceOfSatisfying(ChecksumMismatchException.class, e -> {
          assertThat(e.blockOffset()).isEqualTo(2L * BLOCK);
          assertThat(e.status()).isEqualTo(DataPlaneStatus.CHECKSUM_MISMATCH);
          assertThat(e.handle()).isEqualTo(HANDLE);
        });
  }

  @Test
  void aRegionThatDoesNotCoverTheRequestIsAProtocolError() {
    byte[] chunk = chunk(3 * BLOCK);
    assertThatThrownBy(() -> ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 1, 1), 0,
        10)).isInstanceOfSatisfying(DataPlaneException.class,
            e -> assertThat(e.status()).isEqualTo(DataPlaneStatus.MALFORMED));
    assertThatThrownBy(() -> ReadVerifier.verifyAndTrim(SERVER, HANDLE, reply(chunk, 0, 0), 0,
        BLOCK + 1)).isInstanceOf(DataPlaneException.class);
  }
}
