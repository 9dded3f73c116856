package io.gfs.chunkserver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.chunkserver.dataplane.ChunkOperations.ReadRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large reads of data the page cache does not hold are read with direct I/O into a buffer; data
 * it holds, small reads and reads with direct reads off still come from the file (sent from the
 * page cache). Either way the region has the committed bytes and their block checksums. The
 * stores live under the build directory (BuildDirTempDirs): the direct path must really run.
 */
class DirectReadTest {
  private static final int MIB = 1 << 20;

  @TempDir(factory = BuildDirTempDirs.class)
  Path root;
  private final String handle = UUID.randomUUID().toString();

  /** A chunk of {@code data} written with direct writes or through the page cache. */
  private ChunkStore storeWith(String name, byte[] data, boolean directWrites,
      boolean directReads) throws IOException {
    ChunkStore store = ChunkStore.open("cs1", root.resolve(name), directWrites, directReads);
    store.createIfAbsent(handle, 1);
    assertThat(DirectWriteTest.write(store, handle, 1, 0, data)).isEqualTo(directWrites);
    return store;
  }

  private Path dataFile(String name) {
    return root.resolve(name).resolve("chunks").resolve(handle + ".chunk");
  }

  private boolean resident(String name, long position, long count) throws IOException {
    try (FileChannel ch = FileChannel.open(dataFile(name), StandardOpenOption.READ)) {
      return DirectReader.resident(ch, position, count);
    }
  }

  private static byte[] checked(ReadRegion r) throws IOException {
    byte[] bytes = ChunkStoreTest.readAll(r);
    assertThat(Crc32cBlocks.firstMismatch(bytes, r.chunkOffset(), r.blockCrc32c()))
        .as("block checksums").isEqualTo(-1);
    return bytes;
  }

  @Test
  void aLargeRegionNotInThePageCacheIsReadDirectly() throws IOException {
    byte[] data = ChunkStoreTest.bytes(3 * MIB + 1234, 1); // ends off the 4 KiB alignment
    ChunkStore store = storeWith("s", data, true, true);
    assertThat(resident("s", 0, data.length)).as("written directly: not in the page cache")
        .isFalse();

    ReadRegion whole = store.read(handle, 1, 0, data.length);
    assertThat(whole.bytes()).as("read directly").isNotNull();
    assertThat(whole.channel()).isNull();
    assertThat(checked(whole)).isEqualTo(data);

    // from inside a checksum block to the end: the region starts at that block
    long offset = MIB + 70_000;
    ReadRegion tail = store.read(handle, 1, offset, data.length);
    assertThat(tail.chunkOffset()).isEqualTo(MIB + 65_536);
    assertThat(tail.bytes()).isNotNull();
    assertThat(checked(tail)).isEqualTo(Arrays.copyOfRange(data, MIB + 65_536, data.length));
    assertThat(resident("s", 0, data.length)).as("direct reads leave the page cache alone")
        .isFalse();
  }

  @Test
  void dataInThePageCacheSmallReadsAndDirectReadsOffUseTheFile() throws IOException {
    byte[] data = ChunkStoreTest.bytes(2 * MIB, 2);
    ChunkStore cached = storeWith("cached", data, false, true);
    try (FileChannel ch = FileChannel.open(dataFile("cached"), StandardOpenOption.READ)) {
      FileChannels.readFully(ch, ByteBuffer.allocate(data.length), 0); // all of it cached now
    }
    assertThat(resident("cached", 0, data.length)).isTrue();
    ReadRegion hit = cached.read(handle, 1, 0, data.length);
    assertThat(hit.bytes()).as("a page-cache hit is sent from the cache").isNull();
    assertThat(checked(hit)).isEqualTo(data);

    ChunkStore uncached = storeWith("uncached", data, true, true);
    ReadRegion small = uncached.read(handle, 1, MIB, MIB / 2);
    assertThat(small.count()).isEqualTo(MIB / 2);
    assertThat(small.bytes()).as("below 1 MiB").isNull();
    assertThat(checked(small)).isEqualTo(Arrays.copyOfRange(data, MIB, MIB + MIB / 2));

    ChunkStore off = storeWith("off", data, true, false);
    assertThat(resident("off", 0, data.length)).isFalse();
    ReadRegion plain = off.read(handle, 1, 0, data.length);
    assertThat(plain.bytes()).as("direct-reads=false").isNull();
    assertThat(checked(plain)).isEqualTo(data);
  }

  @Test
  void atMostHeldMaxBuffersAreOutTheRestUseThePageCache() throws IOException {
    byte[] data = ChunkStoreTest.bytes(MIB, 3);
    ChunkStore store = storeWith("s", data, true, true);
    // the bound is per process: count only what this test may take
    int free = DirectReader.heldAvailable();
    assertThat(free).isPositive().isLessThanOrEqualTo(DirectReader.HELD_MAX);
    List<ReadRegion> out = new ArrayList<>();
    try {
      for (int i = 0; i <= free; i++) {
        out.add(store.read(handle, 1, 0, data.length));
      }
      assertThat(out.subList(0, free)).allMatch(r -> r.bytes() != null);
      ReadRegion over = out.get(free);
      assertThat(over.bytes()).as("one over the bound: page cache").isNull();
      out.remove(free).release().run(); // unread: reading it would bring it into the cache
      ReadRegion first = out.remove(0);
      assertThat(checked(first)).isEqualTo(data); // sent: gives the buffer back
      first.release().run(); // a second release gives nothing back twice
      assertThat(DirectReader.heldAvailable()).isEqualTo(1);
      out.add(store.read(handle, 1, 0, data.length));
      assertThat(out.get(out.size() - 1).bytes()).as("a released buffer frees its place")
          .isNotNull();
    } finally {
      out.forEach(r -> r.release().run());
    }
    assertThat(DirectReader.heldAvailable()).isEqualTo(free);
  }
}
