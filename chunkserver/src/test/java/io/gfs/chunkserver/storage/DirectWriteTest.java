package io.gfs.chunkserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkOperations.ReadRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large WRITEs staged in place are written with direct I/O: the chunk must end up exactly as
 * through the page cache (bytes, length, block checksums, durable across a reopen), and a direct
 * stage whose place in the file changed before its commit must not commit, although its bytes
 * are not read back.
 * The stores live under the build directory (BuildDirTempDirs): the direct path must really run.
 */
class DirectWriteTest {
  private static final int MIB = 1 << 20;

  @TempDir(factory = BuildDirTempDirs.class)
  Path root;
  private final String handle = UUID.randomUUID().toString();

  private static int crc(byte[] b) {
    return Crc32cBlocks.crc(b, 0, b.length);
  }

  private ChunkStore store(String name, boolean direct) throws IOException {
    ChunkStore store = ChunkStore.open("cs1", root.resolve(name), direct, true);
    store.createIfAbsent(handle, 1);
    return store;
  }

  private boolean write(ChunkStore store, long seq, long at, byte[] data) {
    return write(store, handle, seq, at, data);
  }

  /**
   * A WRITE of {@code data} at {@code at} staged in place, in pieces of odd sizes; returns
   * whether it went direct.
   */
  static boolean write(ChunkStore store, String handle, long seq, long at, byte[] data) {
    try (StageFile s = store.openStage(handle, 1, seq, data.length, crc(data), at)) {
      boolean direct = s.isDirect();
      int[] pieces = {7001, MIB + 3, 65_536, 1};
      int done = 0;
      for (int i = 0; done < data.length; i++) {
        int n = Math.min(pieces[i % pieces.length], data.length - done);
        s.write(ByteBuffer.wrap(data, done, n));
        done += n;
      }
      s.complete();
      store.commitStage(s, at, seq);
      return direct;
    }
  }

  private byte[] readChecked(ChunkStore store, long length) throws IOException {
    ReadRegion r = store.read(handle, 1, 0, length);
    byte[] region = ChunkStoreTest.readAll(r);
    assertThat(Crc32cBlocks.firstMismatch(region, 0, r.blockCrc32c()))
        .as("block checksums").isEqualTo(-1);
    return region;
  }

  @Test
  void directWritesLeaveTheChunkExactlyAsThePageCacheDoes() throws IOException {
    ChunkStore direct = store("direct", true);
    ChunkStore cached = store("cached", false);
    byte[] small = ChunkStoreTest.bytes(3 * 4096, 1); // aligned, but not to a checksum block
    byte[] big = ChunkStoreTest.bytes(2 * MIB + 3 * 4096, 2); // ends aligned
    byte[] ragged = ChunkStoreTest.bytes(MIB + 1234, 3); // ends off the alignment
    byte[] after = ChunkStoreTest.bytes(MIB + MIB / 2, 4); // starts off it
    byte[][] writes = {small, big, ragged, after};
    boolean[] wentDirect = new boolean[writes.length];
    long at = 0;
    for (int i = 0; i < writes.length; i++) {
      wentDirect[i] = write(direct, i + 1, at, writes[i]);
      assertThat(write(cached, i + 1, at, writes[i])).isFalse();
      at += writes[i].length;
    }
    assertThat(wentDirect).as("which WRITEs went direct (small ones and unaligned starts not)")
        .containsExactly(false, true, true, false);

    byte[] expected = new byte[(int) at];
    int pos = 0;
    for (byte[] w : writes) {
      System.arraycopy(w, 0, expected, pos, w.length);
      pos += w.length;
    }
    ChunkMeta d = direct.state(handle).orElseThrow();
    ChunkMeta c = cached.state(handle).orElseThrow();
    assertThat(d.committedLength()).isEqualTo(at);
    assertThat(d.crcsUnsafe()).as("block checksums computed on the written bytes")
        .isEqualTo(c.crcsUnsafe());
    assertThat(readChecked(direct, at)).isEqualTo(expected);

    ChunkStore reopened = ChunkStore.open("cs1", root.resolve("direct"));
    assertThat(reopened.state(handle).orElseThrow()).isEqualTo(d);
    assertThat(readChecked(reopened, at)).isEqualTo(expected);
  }

  @Test
  void copiedPiecesGoDirectAndLeaveTheChunkExactlyAsThePageCacheDoes() throws IOException {
    ChunkStore direct = store("direct", true);
    ChunkStore cached = store("cached", false);
    // recovery and re-replication append a peer's committed bytes piece by piece
    byte[][] pieces = {ChunkStoreTest.bytes(MIB, 1), ChunkStoreTest.bytes(MIB + 1234, 2),
        ChunkStoreTest.bytes(MIB, 3)};
    long at = 0;
    java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < pieces.length; i++) {
      direct.appendCommitted(handle, at, ByteBuffer.wrap(pieces[i]), i + 1);
      cached.appendCommitted(handle, at, ByteBuffer.wrap(pieces[i]), i + 1);
      expected.write(pieces[i]);
      at += pieces[i].length;
    }
    ChunkMeta d = direct.state(handle).orElseThrow();
    assertThat(d).isEqualTo(cached.state(handle).orElseThrow());
    assertThat(d.committedLength()).isEqualTo(at);
    assertThat(readChecked(direct, at)).isEqualTo(expected.toByteArray());
    ChunkStore reopened = ChunkStore.open("cs1", root.resolve("direct"));
    assertThat(reopened.state(handle).orElseThrow()).isEqualTo(d);
    assertThat(readChecked(reopened, at)).isEqualTo(expected.toByteArray());
  }

  @Test
  void aDirectStageWhosePlaceChangedBeforeItsCommitIsRefused() throws IOException {
    ChunkStore store = store("s", true);
    byte[] first = ChunkStoreTest.bytes(4096, 1);
    write(store, 1, 0, first);
    byte[] big = ChunkStoreTest.bytes(2 * MIB, 2);
    try (StageFile s = store.openStage(handle, 1, 2, big.length, crc(big), first.length)) {
      assertThat(s.isDirect()).isTrue();
      s.write(ByteBuffer.wrap(big));
      s.complete();
      // Meanwhile an append at the same place fails its commit (its staging file was damaged
      // after READY): the rollback cuts the data file back to the committed length, taking the
      // direct stage's bytes with it, and leaves that length as it was.
      byte[] other = ChunkStoreTest.bytes(200_000, 3);
      try (StageFile append = store.openStage(handle, 1, 3, other.length, crc(other), -1)) {
        append.write(ByteBuffer.wrap(other));
        append.complete();
        try (FileChannel ch = FileChannel.open(onlyStagingFile(store), StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.allocate(100), 1000);
        }
        assertThatThrownBy(() -> store.commitStage(append, first.length, 2))
            .extracting(e -> ((ChunkException) e).code())
            .isEqualTo(ChunkException.Code.CHECKSUM_MISMATCH);
      }
      assertThat(store.state(handle).orElseThrow().committedLength()).isEqualTo(first.length);
      assertThatThrownBy(() -> store.commitStage(s, first.length, 2))
          .as("the direct stage's bytes are gone: it must not commit")
          .isInstanceOf(ChunkException.class)
          .extracting(e -> ((ChunkException) e).code())
          .isEqualTo(ChunkException.Code.CHECKSUM_MISMATCH);
    }
    assertThat(store.state(handle).orElseThrow().committedLength()).isEqualTo(first.length);
    // The place is free again and a retry commits.
    assertThat(write(store, 4, first.length, big)).isTrue();
    byte[] got = readChecked(store, first.length + big.length);
    assertThat(Arrays.copyOfRange(got, first.length, got.length)).isEqualTo(big);
  }

  @Test
  void aDirectStageThatNeverCommitsIsGoneAfterARestart() throws IOException {
    ChunkStore store = store("s", true);
    byte[] first = ChunkStoreTest.bytes(8192, 1);
    write(store, 1, 0, first);
    byte[] big = ChunkStoreTest.bytes(MIB + 100, 2);
    StageFile s = store.openStage(handle, 1, 2, big.length, crc(big), first.length);
    assertThat(s.isDirect()).isTrue();
    s.write(ByteBuffer.wrap(big));
    s.complete(); // READY, then the process dies before COMMIT

    ChunkStore reopened = ChunkStore.open("cs1", root.resolve("s"));
    assertThat(reopened.state(handle).orElseThrow().committedLength()).isEqualTo(first.length);
    assertThat(Files.size(root.resolve("s").resolve("chunks").resolve(handle + ".chunk")))
        .isEqualTo(first.length);
    assertThat(readChecked(reopened, first.length)).isEqualTo(first);
    s.close(); // the dead process's stage: only gives its direct buffer back
  }

  @Test
  void atMostOpenMaxStagesWriteDirectlyAtOnceTheRestUseThePageCache() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", root.resolve("s"), true, true);
    List<StageFile> open = new ArrayList<>();
    // the bound is per process: count only what this test may take
    int free = DirectWriter.openAvailable();
    assertThat(free).isPositive().isLessThanOrEqualTo(DirectWriter.OPEN_MAX);
    try {
      for (int i = 0; i <= free; i++) {
        String h = UUID.randomUUID().toString();
        store.createIfAbsent(h, 1);
        open.add(store.openStage(h, 1, 1, MIB, 0, 0));
      }
      assertThat(open.subList(0, free)).allMatch(StageFile::isDirect);
      StageFile over = open.get(free);
      assertThat(over.isInPlace()).isTrue();
      assertThat(over.isDirect()).as("one over the bound: page cache").isFalse();
      open.remove(0).close();
      String h = UUID.randomUUID().toString();
      store.createIfAbsent(h, 1);
      open.add(store.openStage(h, 1, 1, MIB, 0, 0));
      assertThat(open.get(open.size() - 1).isDirect()).as("a closed stage frees its place")
          .isTrue();
    } finally {
      open.forEach(StageFile::close);
    }
  }

  private Path onlyStagingFile(ChunkStore store) throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("s").resolve("staging"))) {
      return files.filter(f -> f.toString().endsWith(".stage")).findFirst().orElseThrow();
    }
  }
}
