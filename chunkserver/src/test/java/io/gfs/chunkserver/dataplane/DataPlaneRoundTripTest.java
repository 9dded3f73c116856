package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.DataPlaneHarness.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gfs.client.internal.dataplane.ChecksumMismatchException;
import io.gfs.client.internal.dataplane.DataPlaneException;
import io.gfs.client.internal.dataplane.DataPlaneStatus;
import io.gfs.client.internal.dataplane.ReadBuffers;
import io.gfs.client.internal.dataplane.ReadResult;
import io.gfs.client.internal.dataplane.WriteResult;
import io.gfs.client.internal.dataplane.WriteSource;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real client against real server over 127.0.0.1 (LESSONS 11, 18, 22). */
class DataPlaneRoundTripTest {
  private static final int BLOCK = ChunkOperations.CHECKSUM_BLOCK_BYTES;

  @TempDir Path dir;
  private DataPlaneHarness h;
  private final UUID chunk = UUID.randomUUID();

  @BeforeEach
  void start() throws Exception {
    h = new DataPlaneHarness(dir);
    h.ops.create(chunk.toString(), 7);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] array(ReadResult r) {
    byte[] out = new byte[r.data().remaining()];
    r.data().duplicate().get(out);
    return out;
  }

  private ReadResult read(long offset, int length) {
    return h.client.read(h.address, chunk, 7, offset, length, DEADLINE).join();
  }

  private static DataPlaneStatus statusOf(CompletableFuture<?> f) {
    try {
      f.join();
      throw new AssertionError("expected a failure");
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(DataPlaneException.class);
      return ((DataPlaneException) e.getCause()).status();
    }
  }

  @Test
  void emptyChunkReadsAsZeroBytes() {
    ReadResult r = read(0, 1000);
    assertThat(r.data().remaining()).isZero();
    assertThat(r.committedLength()).isZero();
  }

  @Test
  void writeThenReadRangesInsideAndAtBlockEdgesNeverPastCommittedLength() {
    int size = 3 * BLOCK + 123;
    byte[] data = bytes(1, size);
    WriteResult w = h.client.write(h.address, chunk, 7, 0, ByteBuffer.wrap(data), DEADLINE).join();
    assertThat(w).isEqualTo(new WriteResult(0, size));
    long[][] ranges = {
        {0, size}, {0, 1}, {BLOCK - 1, 2}, {BLOCK, BLOCK}, {BLOCK + 5, 10}, {2 * BLOCK - 3, 7},
        {3 * BLOCK, 123}, {size - 1, 1}, {size - 10, 1000}, {0, size + 5000}, {1, 0}};
    for (long[] range : ranges) {
      ReadResult r = read(range[0], (int) range[1]);
      int end = (int) Math.min(range[0] + range[1], size);
      assertThat(array(r)).as("range %s", Arrays.toString(range))
          .isEqualTo(Arrays.copyOfRange(data, (int) range[0], end));
      assertThat(r.committedLength()).isEqualTo(size);
    }
    assertThat(read(size, 10).data().remaining()).isZero();
    assertThat(read(size + 10L * BLOCK, 10).data().remaining()).isZero();
    await().untilAsserted(() -> assertThat(h.ops.openRegions).hasValue(0));
  }

  @Test
  void regionsAlreadyReadIntoBuffersAreSentWholeAndGivenBack() {
    int size = 40 * BLOCK + 321;
    byte[] data = bytes(9, size);
    h.client.write(h.address, chunk, 7, 0, ByteBuffer.wrap(data), DEADLINE).join();
    h.ops.readIntoBuffers = true;
    long[][] ranges = {{0, size}, {BLOCK + 5, 20 * BLOCK}, {size - 10, 1000}, {3, 1}};
    for (long[] range : ranges) {
      ReadResult r = read(range[0], (int) range[1]);
      int end = (int) Math.min(range[0] + range[1], size);
      assertThat(array(r)).as("range %s", Arrays.toString(range))
          .isEqualTo(Arrays.copyOfRange(data, (int) range[0], end));
    }
    await().untilAsserted(() -> assertThat(h.ops.openRegions).hasValue(0));
    long sent = size + 21L * BLOCK + 321 + BLOCK; // each region: whole checksum blocks
    assertThat(h.metrics.meter("gfs.chunkserver.dataplane.read.direct.bytes").getCount())
        .isEqualTo(sent);
  }

  @Test
  void manyPipelinedWritesAndReadsShareOneConnection() {
    List<CompletableFuture<WriteResult>> appends = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      appends.add(h.client.append(h.address, chunk, 7, ByteBuffer.wrap(bytes(i, 1000 + i)),
          DEADLINE));
    }
    List<CompletableFuture<ReadResult>> reads = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      reads.add(h.client.read(h.address, chunk, 7, 0, 50_000, DEADLINE));
    }
    CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).join();
    for (int i = 0; i < appends.size(); i++) {
      WriteResult w = appends.get(i).join();
      byte[] got = array(read(w.offset(), 1000 + i));
      assertThat(got).isEqualTo(bytes(i, 1000 + i));
    }
    assertThat(h.client.openConnections(h.address)).isEqualTo(1);
    assertThat(h.server.openConnections()).isEqualTo(1);
  }

  @Test
  void writeFromSeveralPiecesIsStreamedInBoundedFrames() {
    List<ByteBuffer> pieces = List.of(ByteBuffer.wrap(bytes(1, 10)),
        ByteBuffer.wrap(bytes(2, 200_000)), ByteBuffer.wrap(bytes(3, 1)));
    WriteResult w = h.client.write(h.address, chunk, 7, 0, pieces, DEADLINE).join();
    assertThat(w.committedLength()).isEqualTo(200_011);
    // 64 KiB frames: the 200,000-byte piece arrives as 4 frames.
    assertThat(h.ops.piecesReceived).hasValue(1 + 4 + 1);
    ByteBuffer all = read(0, 200_011).data();
    for (ByteBuffer p : pieces) {
      byte[] want = new byte[p.remaining()];
      p.duplicate().get(want);
      byte[] got = new byte[want.length];
      all.get(got);
      assertThat(got).isEqualTo(want);
    }
  }

  /** Pieces made on demand: piece i is 256 KiB of the byte i. */
  private static WriteSource generated(int pieces, long declaredLength) {
    CRC32C crc = new CRC32C();
    for (int i = 0; i < pieces; i++) {
      byte[] piece = new byte[256 * 1024];
      Arrays.fill(piece, (byte) i);
      crc.update(piece);
    }
    int crc32c = (int) crc.getValue();
    return new WriteSource() {
      private int next;

      @Override
      public long length() {
        return declaredLength;
      }

      @Override
      public int crc32c() {
        return crc32c;
      }

      @Override
      public ByteBuffer nextPiece() {
        if (next == pieces) {
          return null;
        }
        byte[] piece = new byte[256 * 1024];
        Arrays.fill(piece, (byte) next++);
        return ByteBuffer.wrap(piece);
      }
    };
  }

  @Test
  void writeFromALazySourcePullsPiecesAsTheConnectionTakesThem() {
    WriteResult w = h.client.write(h.address, chunk, 7, 0, generated(12, 12 * 256 * 1024),
        DEADLINE).join();
    assertThat(w.committedLength()).isEqualTo(12 * 256 * 1024);
    for (int i = 0; i < 12; i++) {
      byte[] got = array(read((long) i * 256 * 1024, 256 * 1024));
      byte[] want = new byte[256 * 1024];
      Arrays.fill(want, (byte) i);
      assertThat(got).isEqualTo(want);
    }
  }

  @Test
  void aSourceShorterThanItsDeclaredLengthFailsAndTheServerAbortsTheWrite() {
    assertThat(statusOf(h.client.write(h.address, chunk, 7, 0, generated(2, 3 * 256 * 1024),
        DEADLINE))).isEqualTo(DataPlaneStatus.INVALID_ARGUMENT);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> h.ops.aborts.contains("client disconnected"));
    assertThat(h.client.committedLength(h.address, chunk, 7, DEADLINE).join()).isZero();
  }

  @Test
  void checksumMismatchFromServerIsDetected() {
    h.client.write(h.address, chunk, 7, 0, ByteBuffer.wrap(bytes(5, 100_000)), DEADLINE).join();
    h.ops.corruptChecksums = true;
    CompletableFuture<ReadResult> f = h.client.read(h.address, chunk, 7, 10, 99_000, DEADLINE);
    assertThatThrownBy(f::join).cause().isInstanceOf(ChecksumMismatchException.class)
        .satisfies(e -> assertThat(((ChecksumMismatchException) e).blockOffset()).isEqualTo(BLOCK));
  }

  @Test
  void bytesHandedOverInTheReceivedBuffersAreVerifiedAndCopyOutWhole() {
    int size = 40 * BLOCK + 777; // a reply of many socket reads, with a last partial block
    byte[] data = bytes(9, size);
    h.client.write(h.address, chunk, 7, 0, ByteBuffer.wrap(data), DEADLINE).join();
    long[][] ranges = {{0, size}, {BLOCK + 3, 20 * BLOCK}, {size - 5000, 1 << 20}};
    for (long[] range : ranges) {
      try (ReadBuffers r = h.client.readBuffers(h.address, chunk, 7, range[0], (int) range[1],
          DEADLINE).join()) {
        int end = (int) Math.min(range[0] + range[1], size);
        byte[] out = new byte[r.remaining()];
        int at = 0;
        while (at < out.length) {
          at += r.copyTo(out, at, Math.min(10_000, out.length - at)); // a caller's small buffer
        }
        assertThat(out).isEqualTo(Arrays.copyOfRange(data, (int) range[0], end));
        assertThat(r.committedLength()).isEqualTo(size);
      }
    }
    h.ops.corruptChecksums = true;
    CompletableFuture<ReadBuffers> bad = h.client.readBuffers(h.address, chunk, 7, 0, size,
        DEADLINE);
    assertThatThrownBy(bad::join).cause().isInstanceOf(ChecksumMismatchException.class);
  }

  @Test
  void engineErrorsArriveAsTypedStatusesAndTheConnectionStaysUsable() {
    h.ops.create("00000000-0000-0000-0000-000000000001", 1);
    UUID full = UUID.fromString("00000000-0000-0000-0000-000000000001");
    assertThat(statusOf(h.client.read(h.address, UUID.randomUUID(), 7, 0, 1, DEADLINE)))
        .isEqualTo(DataPlaneStatus.NOT_FOUND);
    assertThat(statusOf(h.client.read(h.address, chunk, 6, 0, 1, DEADLINE)))
        .isEqualTo(DataPlaneStatus.STALE_VERSION);
    assertThat(statusOf(h.client.append(h.address, full, 1, ByteBuffer.allocate(5 << 20),
        DEADLINE))).isEqualTo(DataPlaneStatus.CHUNK_FULL);
    h.ops.notPrimaryHandle = chunk.toString();
    assertThat(statusOf(h.client.append(h.address, chunk, 7, ByteBuffer.wrap(bytes(1, 300_000)),
        DEADLINE))).isEqualTo(DataPlaneStatus.NOT_PRIMARY);
    assertThat(statusOf(h.client.write(h.address, chunk, 7, -5, ByteBuffer.allocate(1),
        DEADLINE))).isEqualTo(DataPlaneStatus.INVALID_ARGUMENT);
    h.ops.notPrimaryHandle = null;
    assertThat(h.client.committedLength(h.address, chunk, 7, DEADLINE).join()).isZero();
    h.client.ping(h.address, DEADLINE).join();
    WriteResult w = h.client.append(h.address, chunk, 7, ByteBuffer.wrap(bytes(2, 10)), DEADLINE)
        .join();
    assertThat(w).isEqualTo(new WriteResult(0, 10));
    assertThat(h.client.committedLength(h.address, chunk, 7, DEADLINE).join()).isEqualTo(10);
  }

  @Test
  void writeAtWrongOffsetIsRejectedAndTheDataIsDrained() {
    h.client.write(h.address, chunk, 7, 0, ByteBuffer.wrap(bytes(1, 10)), DEADLINE).join();
    assertThat(statusOf(h.client.write(h.address, chunk, 7, 0, ByteBuffer.wrap(bytes(1, 200_000)),
        DEADLINE))).isEqualTo(DataPlaneStatus.INVALID_ARGUMENT);
    assertThat(read(0, 100).data().remaining()).isEqualTo(10);
  }

  @Test
  void stringHandlesMustBeCanonical() {
    assertThat(h.client.read(h.address, chunk.toString(), 7, 0, 10, DEADLINE).join()
        .committedLength()).isZero();
    assertThatThrownBy(() -> h.client.read(h.address, chunk.toString().toUpperCase(), 7, 0, 10,
        DEADLINE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.client.read(h.address, "../../etc/passwd", 7, 0, 10, DEADLINE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aWriteWhoseSessionNeverFinishesTimesOutAndIsAborted() {
    h.ops.pieceGate = CompletableFuture::new; // never completes
    CompletableFuture<WriteResult> f = h.client.write(h.address, chunk, 7, 0,
        ByteBuffer.wrap(bytes(1, 1000)), Duration.ofMillis(500));
    assertThat(statusOf(f)).isEqualTo(DataPlaneStatus.TIMEOUT);
    await().atMost(Duration.ofSeconds(30)).until(() -> !h.ops.aborts.isEmpty());
    assertThat(h.counter("requests.timed_out")).isEqualTo(1);
    h.ops.pieceGate = () -> CompletableFuture.completedFuture(null);
    assertThat(h.client.append(h.address, chunk, 7, ByteBuffer.wrap(bytes(2, 10)), DEADLINE)
        .join().committedLength()).isEqualTo(10);
  }

  @Test
  void writesBegunQuicklyOnTheEventLoopRoundTripAndQuickRefusalsAreAnswered() {
    h.ops.quickBegin = true;
    byte[] a = bytes(31, 5000);
    assertThat(h.client.append(h.address, chunk, 7, ByteBuffer.wrap(a), DEADLINE).join())
        .isEqualTo(new WriteResult(0, 5000));
    assertThat(h.client.write(h.address, chunk, 7, 5000, ByteBuffer.wrap(bytes(32, 70_000)),
        DEADLINE).join()).isEqualTo(new WriteResult(5000, 75_000));
    assertThat(h.ops.quickBegins.get()).isEqualTo(2);
    // refused by the quick begin (wrong offset): answered, its data swallowed, the connection
    // goes on serving
    assertThat(statusOf(h.client.write(h.address, chunk, 7, 10, ByteBuffer.wrap(bytes(33, 100)),
        DEADLINE))).isEqualTo(DataPlaneStatus.INVALID_ARGUMENT);
    assertThat(array(read(0, 5000))).isEqualTo(a);
    assertThat(h.client.append(h.address, chunk, 7, ByteBuffer.wrap(bytes(34, 10)), DEADLINE)
        .join().offset()).isEqualTo(75_000);
  }
}
