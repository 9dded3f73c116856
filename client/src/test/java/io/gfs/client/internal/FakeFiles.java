package io.gfs.client.internal;

import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.FileInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/** What the SDK's read tests share: a ChunkIo to fake from, and a file over fake chunks. */
final class FakeFiles {
  static final String NS = "ns";
  static final String PATH = "/f";

  private FakeFiles() {
  }

  /** Refuses every call a test does not fake. */
  abstract static class StubChunkIo implements ChunkIo {
    @Override
    public CompletableFuture<ReadResult> read(HostPorts.HostPort replica, UUID handle,
        long version, long offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<WriteResult> write(HostPorts.HostPort primary, UUID handle,
        long version, long offset, ByteBuffer data) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Long> committedLength(HostPorts.HostPort replica, UUID handle,
        long version) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
  }

  static byte[] pattern(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31 + seed * 7 + (i >>> 13));
    }
    return b;
  }

  /**
   * Streams of {@link #PATH}, whose chunks have the given sizes and three replicas (data ports
   * 1-3) and are served by {@code io}; their contents go into {@code contents}, their handles
   * into {@code handles}. With {@code sealBeforeLast} every chunk but the last is sealed at its
   * size; otherwise all are unsealed with no committed length known (as written, not appended).
   */
  static FileStreams streams(ChunkIo io, Map<UUID, byte[]> contents, List<UUID> handles,
      long chunkSize, boolean sealBeforeLast, ExecutorService executor, int... sizes) {
    List<ChunkInfo> infos = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      UUID handle = UUID.randomUUID();
      handles.add(handle);
      contents.put(handle, pattern(sizes[i], i));
      boolean sealed = sealBeforeLast && i < sizes.length - 1;
      ChunkInfo.Builder c = ChunkInfo.newBuilder().setHandle(handle.toString()).setIndex(i)
          .setVersion(1).setSealed(sealed).setCommittedLength(sealed ? sizes[i] : 0)
          .setPrimary("cs1");
      for (int r = 1; r <= 3; r++) {
        c.addReplicas(ChunkLocation.newBuilder().setServerId("cs" + r).setHost("127.0.0.1")
            .setDataPort(r));
      }
      infos.add(c.build());
    }
    LocationCache cache = new LocationCache(Duration.ofHours(1));
    ChunkLayout layout = new ChunkLayout(FileInfo.getDefaultInstance(), infos, chunkSize,
        System.nanoTime());
    cache.get(NS, PATH, () -> layout);
    ChunkReads reads = new ChunkReads(null, io, cache, Duration.ofSeconds(30),
        Duration.ofSeconds(1));
    return new FileStreams(null, reads, null, cache, executor);
  }
}
