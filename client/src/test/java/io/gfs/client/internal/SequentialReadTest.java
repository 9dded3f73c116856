package io.gfs.client.internal;

import static io.gfs.client.internal.FakeFiles.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The input stream over a fake data plane: every byte in order across chunk boundaries and a short
 * last chunk, failover when the replica a read-ahead asks has failed, and the final length of a
 * followed chunk asked of its replicas once, not once per piece.
 */
class SequentialReadTest {
  private static final String NS = FakeFiles.NS;
  private static final String PATH = FakeFiles.PATH;
  private static final int PIECE = ChunkReads.PIECE_BYTES_MAX;

  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  /** Chunk contents by handle; replicas by port, a port in {@code down} fails every call. */
  private static final class FakeIo extends FakeFiles.StubChunkIo {
    final Map<UUID, byte[]> chunks = new ConcurrentHashMap<>();
    final Set<Integer> down = ConcurrentHashMap.newKeySet();
    /** Bytes a replica (by port) lacks at the end of every chunk: it lags behind the others. */
    final Map<Integer, Integer> lagging = new ConcurrentHashMap<>();
    final AtomicInteger lengthAsks = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public CompletableFuture<ReadResult> read(HostPorts.HostPort replica, UUID handle,
        long version, long offset, int length) {
      reads.incrementAndGet();
      if (down.contains(replica.port())) {
        return CompletableFuture.failedFuture(
            new ChunkIoException(ChunkIoException.Kind.FAILED, "down", null));
      }
      byte[] data = chunks.get(handle);
      int committed = Math.max(0, data.length - lagging.getOrDefault(replica.port(), 0));
      int from = (int) Math.min(offset, committed);
      int to = (int) Math.min(committed, offset + length);
      return CompletableFuture.supplyAsync(() -> new ReadResult(
          ByteBuffer.wrap(data, from, to - from).slice().asReadOnlyBuffer(), committed));
    }

    @Override
    public CompletableFuture<Long> committedLength(HostPorts.HostPort replica, UUID handle,
        long version) {
      lengthAsks.incrementAndGet();
      if (down.contains(replica.port())) {
        return CompletableFuture.failedFuture(
            new ChunkIoException(ChunkIoException.Kind.UNREACHABLE, "down", null));
      }
      return CompletableFuture.completedFuture((long) Math.max(0,
          chunks.get(handle).length - lagging.getOrDefault(replica.port(), 0)));
    }

  }

  /** A file of unsealed chunks (as written, not appended) with the given sizes. */
  private FileStreams streams(FakeIo io, int... sizes) {
    return streams(io, 64L << 20, sizes);
  }

  private FileStreams streams(FakeIo io, long chunkSize, int... sizes) {
    return FakeFiles.streams(io, io.chunks, new ArrayList<>(), chunkSize, false, executor,
        sizes);
  }

  private static long crcOf(byte[]... parts) {
    CRC32C crc = new CRC32C();
    for (byte[] p : parts) {
      crc.update(p);
    }
    return crc.getValue();
  }

  private static byte[] readAll(InputStream in, int bufferBytes) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[bufferBytes];
    int n;
    while ((n = in.read(buf, 0, buf.length)) >= 0) {
      assertThat(n).isPositive();
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void readsEveryByteInOrderAcrossChunkBoundariesAndAShortLastChunk() throws IOException {
    FakeIo io = new FakeIo();
    int[] sizes = {3 * PIECE + 12_345, 2 * PIECE, 70_001};
    FileStreams fs = streams(io, sizes);
    byte[] got;
    try (InputStream in = fs.inputStream(NS, PATH)) {
      got = readAll(in, 1 << 20);
    }
    byte[][] expected = new byte[sizes.length][];
    for (int i = 0; i < sizes.length; i++) {
      expected[i] = pattern(sizes[i], i);
    }
    assertThat(got.length).isEqualTo(sizes[0] + sizes[1] + sizes[2]);
    assertThat(crcOf(got)).isEqualTo(crcOf(expected));
  }

  @Test
  void oddBufferSizesSeeTheSameBytes() throws IOException {
    FakeIo io = new FakeIo();
    int[] sizes = {PIECE + 1, PIECE - 1};
    FileStreams fs = streams(io, sizes);
    byte[] got;
    try (InputStream in = fs.inputStream(NS, PATH)) {
      got = readAll(in, 999_983);
    }
    assertThat(crcOf(got)).isEqualTo(crcOf(pattern(sizes[0], 0), pattern(sizes[1], 1)));
  }

  @Test
  void aReadAheadThatHitsAFailedReplicaFailsOverToAnother() throws IOException {
    FakeIo io = new FakeIo();
    io.down.add(1); // the primary, asked first for every piece
    int[] sizes = {2 * PIECE + 5, PIECE / 2};
    FileStreams fs = streams(io, sizes);
    byte[] got;
    try (InputStream in = fs.inputStream(NS, PATH)) {
      got = readAll(in, 1 << 20);
    }
    assertThat(crcOf(got)).isEqualTo(crcOf(pattern(sizes[0], 0), pattern(sizes[1], 1)));
  }

  @Test
  void aLaggingReplicaInTheLastChunkYieldsTheRestFromAnother() throws IOException {
    FakeIo io = new FakeIo();
    io.lagging.put(2, 3 * 65_536 + 17); // the second replica, asked first for the second chunk
    int[] sizes = {PIECE, 2 * PIECE + 300_000};
    FileStreams fs = streams(io, sizes);
    byte[] got;
    try (InputStream in = fs.inputStream(NS, PATH)) {
      got = readAll(in, 1 << 20);
    }
    assertThat(got.length).isEqualTo(sizes[0] + sizes[1]);
    assertThat(crcOf(got)).isEqualTo(crcOf(pattern(sizes[0], 0), pattern(sizes[1], 1)));
  }

  @Test
  void theLengthOfAFullFollowedChunkIsAskedOnceNotOncePerPiece() throws IOException {
    FakeIo io = new FakeIo();
    int[] sizes = {8 * PIECE, 8 * PIECE, PIECE};  // two full chunks, then a short last one
    FileStreams fs = streams(io, 8L * PIECE, sizes);
    try (InputStream in = fs.inputStream(NS, PATH)) {
      assertThat(readAll(in, 1 << 20)).hasSize(17 * PIECE);
    }
    // Parallel read-ahead pieces may race to learn a length first; once known it is kept, so a
    // second pass asks only the last chunk's live length, once per piece that reaches it: the
    // one inside it and the read-ahead pieces past the end. Without the
    // memo it would ask three replicas per earlier chunk for every piece: dozens.
    io.lengthAsks.set(0);
    try (InputStream in = fs.inputStream(NS, PATH)) {
      assertThat(readAll(in, 1 << 20)).hasSize(17 * PIECE);
    }
    assertThat(io.lengthAsks.get()).isLessThanOrEqualTo(1 + PieceInputStream.READ_AHEAD_PIECES);
  }

  @Test
  void aFollowedChunkThatIsNotFullIsAskedAgainBecauseItMayStillGrow() throws IOException {
    FakeIo io = new FakeIo();
    int[] sizes = {2 * PIECE, PIECE};  // a writer may still be filling chunk 0
    FileStreams fs = streams(io, 8L * PIECE, sizes);
    try (InputStream in = fs.inputStream(NS, PATH)) {
      assertThat(readAll(in, 1 << 20)).hasSize(3 * PIECE);
    }
    // The writer fills chunk 0 further (same version); a second pass must see the new bytes.
    UUID first = io.chunks.keySet().stream()
        .filter(h -> io.chunks.get(h).length == 2 * PIECE).findFirst().orElseThrow();
    byte[] grown = pattern(3 * PIECE, 0);
    io.chunks.put(first, grown);
    byte[] got;
    try (InputStream in = fs.inputStream(NS, PATH)) {
      got = readAll(in, 1 << 20);
    }
    assertThat(got.length).isEqualTo(4 * PIECE);
    assertThat(crcOf(got)).isEqualTo(crcOf(grown, pattern(PIECE, 1)));
  }
}
