package io.gfs.client.internal;

import static io.gfs.client.internal.FakeFiles.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.client.internal.dataplane.ReadBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The input stream hands the data plane's buffers back exactly once on every path: consumed to
 * the end (across chunk boundaries, with a last partial piece), closed midway with pieces still
 * in flight, and failed midway.
 */
class ReadBufferReleaseTest {
  private static final String NS = FakeFiles.NS;
  private static final String PATH = FakeFiles.PATH;
  private static final int PIECE = ChunkReads.PIECE_BYTES_MAX;

  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  /** Serves reads from direct buffers it tracks; can hold replies back or fail a chunk. */
  private static final class TrackingIo extends FakeFiles.StubChunkIo {
    final Map<UUID, byte[]> chunks = new ConcurrentHashMap<>();
    final Set<UUID> failing = ConcurrentHashMap.newKeySet();
    final List<ByteBuf> handedOut = new CopyOnWriteArrayList<>();
    final List<Runnable> held = new CopyOnWriteArrayList<>();
    volatile boolean hold;

    @Override
    public CompletableFuture<ReadBuffers> readBuffers(HostPorts.HostPort replica, UUID handle,
        long version, long offset, int length) {
      if (failing.contains(handle)) {
        return CompletableFuture.failedFuture(
            new ChunkIoException(ChunkIoException.Kind.FAILED, "down", null));
      }
      byte[] data = chunks.get(handle);
      int from = (int) Math.min(offset, data.length);
      int to = (int) Math.min(data.length, offset + length);
      CompletableFuture<ReadBuffers> f = new CompletableFuture<>();
      Runnable reply = () -> {
        // Two buffers per reply, as the network delivers a piece in several.
        int mid = from + (to - from) / 2;
        f.complete(ReadBuffers.of(Unpooled.wrappedBuffer(track(data, from, mid),
            track(data, mid, to)), data.length));
      };
      if (hold) {
        held.add(reply);
      } else {
        executor().execute(reply);
      }
      return f;
    }

    private ByteBuf track(byte[] data, int from, int to) {
      ByteBuf b = Unpooled.directBuffer(Math.max(1, to - from));
      b.writeBytes(data, from, to - from);
      handedOut.add(b);
      return b;
    }

    private static java.util.concurrent.Executor executor() {
      return java.util.concurrent.ForkJoinPool.commonPool();
    }

    @Override
    public CompletableFuture<ReadResult> read(HostPorts.HostPort replica, UUID handle,
        long version, long offset, int length) {
      if (failing.contains(handle)) {
        // Thrown, not a failed future: the failover path would otherwise ask the (absent) master.
        throw new io.gfs.client.GfsUnavailableException("down");
      }
      byte[] data = chunks.get(handle);
      int from = (int) Math.min(offset, data.length);
      int to = (int) Math.min(data.length, offset + length);
      return CompletableFuture.completedFuture(new ReadResult(
          ByteBuffer.wrap(data, from, to - from).slice().asReadOnlyBuffer(), data.length));
    }

    @Override
    public CompletableFuture<Long> committedLength(HostPorts.HostPort replica, UUID handle,
        long version) {
      return CompletableFuture.completedFuture((long) chunks.get(handle).length);
    }

    void assertAllReleased() {
      assertThat(handedOut).isNotEmpty();
      assertThat(handedOut).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }
  }

  /** Sealed chunks of the given sizes in a file of 8-piece chunks. */
  private FileStreams streams(TrackingIo io, List<UUID> handles, int... sizes) {
    return FakeFiles.streams(io, io.chunks, handles, 8L * PIECE, true, executor, sizes);
  }

  @Test
  void everyBufferIsReleasedOnceReadToTheEnd() throws IOException {
    TrackingIo io = new TrackingIo();
    int[] sizes = {8 * PIECE, 8 * PIECE, PIECE + 70_001};
    FileStreams fs = streams(io, new ArrayList<>(), sizes);
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    try (InputStream in = fs.inputStream(NS, PATH)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf, 0, buf.length)) >= 0) {
        got.write(buf, 0, n);
      }
    }
    java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < sizes.length; i++) {
      expected.writeBytes(pattern(sizes[i], i));
    }
    assertThat(got.toByteArray()).isEqualTo(expected.toByteArray());
    io.assertAllReleased();
  }

  @Test
  void closingMidwayReleasesWhatWasReadAndWhatArrivesLater() throws IOException {
    TrackingIo io = new TrackingIo();
    io.hold = true;
    FileStreams fs = streams(io, new ArrayList<>(), 8 * PIECE, 8 * PIECE);
    InputStream in = fs.inputStream(NS, PATH);
    CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
      try {
        return in.read(new byte[1000]);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (io.held.isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // the reader has asked for its read-ahead pieces
    }
    io.held.get(0).run();
    assertThat(first.join()).isEqualTo(1000);
    in.close();
    for (Runnable r : io.held.subList(1, io.held.size())) {
      r.run(); // pieces in flight at close arrive afterwards
    }
    assertThat(io.held).hasSize(PieceInputStream.READ_AHEAD_PIECES);
    io.assertAllReleased();
  }

  @Test
  void aFailedReadReleasesEveryPieceAlreadyHeld() throws IOException {
    TrackingIo io = new TrackingIo();
    List<UUID> handles = new ArrayList<>();
    FileStreams fs = streams(io, handles, 8 * PIECE, 8 * PIECE, PIECE);
    io.failing.add(handles.get(1));
    InputStream in = fs.inputStream(NS, PATH);
    byte[] buf = new byte[1 << 20];
    assertThatThrownBy(() -> {
      for (int i = 0; i < 100; i++) {
        in.read(buf, 0, buf.length);
      }
    }).isInstanceOf(IOException.class);
    in.close();
    // Pieces of the first chunk read ahead but not yet arrived are released when they arrive.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (io.handedOut.stream().anyMatch(b -> b.refCnt() > 0) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    io.assertAllReleased();
  }
}
