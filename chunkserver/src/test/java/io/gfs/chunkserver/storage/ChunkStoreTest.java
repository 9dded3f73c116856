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
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreTest {
  @TempDir Path dir;
  private final String handle = UUID.randomUUID().toString();

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static ChunkMeta commit(ChunkStore store, String handle, long seq, long offset,
      byte[] data) {
    try (StageFile stage = store.openStage(handle, 1, seq, data.length,
        Crc32cBlocks.crc(data, 0, data.length))) {
      stage.write(ByteBuffer.wrap(data, 0, data.length / 2));
      stage.write(ByteBuffer.wrap(data, data.length / 2, data.length - data.length / 2));
      stage.complete();
      return store.commitStage(stage, offset, seq);
    }
  }

  /** The region's bytes, from its channel or the buffer it was read into directly. */
  static byte[] readAll(ReadRegion r) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) r.count());
    if (r.bytes() != null) {
      buf.put(r.bytes().duplicate());
    } else {
      FileChannels.readFully(r.channel(), buf, r.position());
    }
    r.release().run();
    return buf.array();
  }

  @Test
  void writeCommitReadRoundTrip() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    byte[] a = bytes(100_000, 1);
    byte[] b = bytes(50_000, 2);
    commit(store, handle, 1, 0, a);
    ChunkMeta m = commit(store, handle, 2, a.length, b);
    assertThat(m.committedLength()).isEqualTo(150_000);
    assertThat(m.committedSequence()).isEqualTo(2);

    ReadRegion r = store.read(handle, 1, 70_000, 60_000);
    assertThat(r.chunkOffset()).isEqualTo(65_536);
    assertThat(r.committedLength()).isEqualTo(150_000);
    byte[] got = readAll(r);
    assertThat(Crc32cBlocks.firstMismatch(got, r.chunkOffset(), r.blockCrc32c())).isEqualTo(-1);
    byte[] all = new byte[150_000];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    assertThat(got).isEqualTo(Arrays.copyOfRange(all, 65_536, 65_536 + got.length));
    assertThat(65_536 + got.length).isEqualTo(131_072);

    assertThat(readAll(store.read(handle, 1, 150_000, 10))).isEmpty();
    assertThatThrownBy(() -> store.read(handle, 2, 0, 1))
        .isInstanceOf(ChunkException.class)
        .extracting(e -> ((ChunkException) e).code())
        .isEqualTo(ChunkException.Code.STALE_VERSION);
  }

  @Test
  void commitAtWrongOffsetIsRejectedAndLeavesChunkUnchanged() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    commit(store, handle, 1, 0, bytes(10, 1));
    assertThatThrownBy(() -> commit(store, handle, 2, 5, bytes(10, 2)))
        .isInstanceOf(ChunkException.class);
    assertThat(store.state(handle).orElseThrow().committedLength()).isEqualTo(10);
  }

  @Test
  void restartTruncatesBeyondCommittedLengthAndKeepsOffsets() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 3);
    byte[] a = bytes(70_000, 1);
    try (StageFile stage = store.openStage(handle, 3, 1, a.length, Crc32cBlocks.crc(a, 0,
        a.length))) {
      stage.write(ByteBuffer.wrap(a));
      stage.complete();
      store.commitStage(stage, 0, 1);
    }
    // an uncommitted tail (a crash between data write and metadata) and a stray stage file
    Path data = dir.resolve("chunks").resolve(handle + ".chunk");
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes(5000, 9)), 70_000);
    }
    store.openStage(handle, 3, 2, 10, 0);
    assertThat(Files.size(data)).isEqualTo(StoredChunk.PREALLOCATE_STEP);

    ChunkStore reopened = ChunkStore.open("cs1", dir);
    ChunkMeta m = reopened.state(handle).orElseThrow();
    assertThat(m.committedLength()).isEqualTo(70_000);
    assertThat(m.version()).isEqualTo(3);
    assertThat(m.committedSequence()).isEqualTo(1);
    assertThat(Files.size(data)).isEqualTo(70_000);
    try (var files = Files.list(dir.resolve("staging"))) {
      assertThat(files).isEmpty();
    }
    byte[] b = bytes(10, 4);
    try (StageFile stage = reopened.openStage(handle, 3, 2, b.length, Crc32cBlocks.crc(b, 0,
        b.length))) {
      stage.write(ByteBuffer.wrap(b));
      stage.complete();
      assertThat(reopened.commitStage(stage, 70_000, 2).committedLength()).isEqualTo(70_010);
    }
  }

  @Test
  void smallCommitsWriteInsidePreallocatedZerosWhichSealAndRestartCutOff() throws IOException {
    int step = StoredChunk.PREALLOCATE_STEP;
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    Path data = dir.resolve("chunks").resolve(handle + ".chunk");
    List<byte[]> records = new ArrayList<>();
    long end = 0;
    for (int i = 0; end + 4096 <= step + 8192; i++) {
      byte[] r = bytes(4096, i);
      records.add(r);
      end = commit(store, handle, i + 1, end, r).committedLength();
      // the file grows a step at a time, ahead of the commits
      assertThat(Files.size(data)).isEqualTo((end + step - 1) / step * step);
    }
    byte[] big = bytes(step, 99); // a commit of a whole step or more extends the file itself
    records.add(big);
    end = commit(store, handle, records.size(), end, big).committedLength();
    assertThat(Files.size(data)).isEqualTo(end);
    byte[] small = bytes(100, 100);
    records.add(small);
    end = commit(store, handle, records.size(), end, small).committedLength();
    assertThat(Files.size(data)).isGreaterThan(end);

    ByteBuffer expected = ByteBuffer.allocate(Math.toIntExact(end));
    records.forEach(expected::put);
    assertThat(readAll(store.read(handle, 1, 0, end))).isEqualTo(expected.array());

    ChunkStore reopened = ChunkStore.open("cs1", dir);
    assertThat(Files.size(data)).isEqualTo(end);
    assertThat(readAll(reopened.read(handle, 1, 0, end))).isEqualTo(expected.array());
    byte[] more = bytes(10, 101);
    long grown = commit(reopened, handle, records.size() + 1, end, more).committedLength();
    assertThat(Files.size(data)).isGreaterThan(grown);
    assertThat(reopened.seal(handle).committedLength()).isEqualTo(grown);
    assertThat(Files.size(data)).isEqualTo(grown);
    byte[] all = readAll(reopened.read(handle, 1, 0, grown));
    assertThat(Arrays.copyOfRange(all, 0, Math.toIntExact(end))).isEqualTo(expected.array());
    assertThat(Arrays.copyOfRange(all, Math.toIntExact(end), all.length)).isEqualTo(more);
  }

  @Test
  void corruptHandlesAreRejectedBeforeTouchingFiles() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    for (String bad : new String[] {"../../etc/passwd", "", "ABCDEF00-0000-0000-0000-000000000000",
        handle + "/..", "0000000000000000000000000000000000000", null}) {
      assertThatThrownBy(() -> store.createIfAbsent(bad, 1))
          .isInstanceOf(ChunkException.class)
          .extracting(e -> ((ChunkException) e).code())
          .isEqualTo(ChunkException.Code.INVALID_ARGUMENT);
      assertThatThrownBy(() -> store.read(bad, 1, 0, 1)).isInstanceOf(ChunkException.class);
    }
    try (var files = Files.list(dir.resolve("chunks"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void flippedByteIsCaughtByBlockChecksums() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    commit(store, handle, 1, 0, bytes(200_000, 5));
    Path data = dir.resolve("chunks").resolve(handle + ".chunk");
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE,
        StandardOpenOption.READ)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, 140_000);
      one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
      ch.write(one, 140_000);
    }
    ReadRegion r = store.read(handle, 1, 0, 200_000);
    assertThat(Crc32cBlocks.firstMismatch(readAll(r), r.chunkOffset(), r.blockCrc32c()))
        .isEqualTo(2);
    // a peer copy never carries the corrupt block away; other blocks still copy
    java.util.List<String> reported = new java.util.ArrayList<>();
    store.onCorruption((h, v, detail) -> reported.add(h));
    assertThatThrownBy(() -> store.readCommitted(handle, 135_000, 10))
        .extracting(e -> ((ChunkException) e).code())
        .isEqualTo(ChunkException.Code.CHECKSUM_MISMATCH);
    assertThat(store.readCommitted(handle, 70_000, 1000)).hasSize(1000);
    assertThat(reported).containsExactly(handle);
  }

  @Test
  void stageWithWrongChecksumOrShortLengthIsNeverReady() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    byte[] a = bytes(1000, 1);
    try (StageFile stage = store.openStage(handle, 1, 1, 1000, Crc32cBlocks.crc(a, 0, 1000))) {
      stage.write(ByteBuffer.wrap(a, 0, 999));
      assertThatThrownBy(stage::complete).isInstanceOf(ChunkException.class);
    }
    try (StageFile stage = store.openStage(handle, 1, 2, 1000, 12345)) {
      stage.write(ByteBuffer.wrap(a));
      assertThatThrownBy(stage::complete)
          .extracting(e -> ((ChunkException) e).code())
          .isEqualTo(ChunkException.Code.CHECKSUM_MISMATCH);
    }
  }

  @Test
  void readyStageThatNeverCommitsIsGoneAfterRestartAndCommitAloneMakesDataDurable()
      throws IOException {
    // READY no longer fsyncs the stage: a crash between READY and COMMIT loses the stage (it is
    // discarded on restart, fsynced or not) and the replica misses that commit; what a restart
    // finds is exactly what commits made durable.
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    byte[] a = bytes(90_000, 6);
    commit(store, handle, 1, 0, a);
    byte[] lost = bytes(5000, 7);
    StageFile ready = store.openStage(handle, 1, 2, lost.length,
        Crc32cBlocks.crc(lost, 0, lost.length));
    ready.write(ByteBuffer.wrap(lost));
    ready.complete(); // READY, then the replica "crashes" before COMMIT

    ChunkStore reopened = ChunkStore.open("cs1", dir);
    ChunkMeta m = reopened.state(handle).orElseThrow();
    assertThat(m.committedLength()).isEqualTo(90_000);
    assertThat(m.committedSequence()).isEqualTo(1);
    try (var files = Files.list(dir.resolve("staging"))) {
      assertThat(files).isEmpty();
    }
    ReadRegion r = reopened.read(handle, 1, 0, 90_000);
    byte[] got = readAll(r);
    assertThat(got).isEqualTo(a);
    assertThat(Crc32cBlocks.firstMismatch(got, 0, r.blockCrc32c())).isEqualTo(-1);
    ready.close();
  }

  @Test
  void chunkWrittenThroughTheStoreReopensByteIdenticalWithCrcsVerified() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    long offset = 0;
    for (int i = 1; i <= 40; i++) {
      byte[] piece = bytes(1 + (i * 7919) % 40_000, i);
      commit(store, handle, i, offset, piece);
      all.write(piece);
      offset += piece.length;
      if (i == 20) {
        store.setVersion(handle, 1); // an update that changes nothing
      }
    }
    store.seal(handle);
    ChunkMeta before = store.state(handle).orElseThrow();

    ChunkStore reopened = ChunkStore.open("cs1", dir);
    ChunkMeta m = reopened.state(handle).orElseThrow();
    assertThat(m).isEqualTo(before);
    assertThat(m.sealed()).isTrue();
    assertThat(m.committedSequence()).isEqualTo(40);
    ReadRegion r = reopened.read(handle, 1, 0, Long.MAX_VALUE);
    byte[] got = readAll(r);
    assertThat(got).isEqualTo(all.toByteArray());
    assertThat(Crc32cBlocks.firstMismatch(got, 0, m.blockCrc32c())).isEqualTo(-1);
    assertThat(m.blockCrc32c()).hasSize(Crc32cBlocks.blockCount(got.length));
  }

  @Test
  void replicaWithBothMetadataSlotsCorruptIsLeftOutAndOthersStillLoad() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    String good = UUID.randomUUID().toString();
    store.createIfAbsent(handle, 1);
    store.createIfAbsent(good, 1);
    commit(store, handle, 1, 0, bytes(1000, 1));
    commit(store, good, 1, 0, bytes(1000, 2));
    Path meta = dir.resolve("chunks").resolve(handle + ".meta");
    Files.write(meta, new byte[(int) Files.size(meta)]); // both slots zeroed

    ChunkStore reopened = ChunkStore.open("cs1", dir);
    assertThat(reopened.inventory()).containsOnlyKeys(good);
    assertThat(reopened.state(good).orElseThrow().committedLength()).isEqualTo(1000);
  }

  @Test
  void restartAfterManyCommitsReadsTheLatestState() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    for (int i = 1; i <= 150; i++) {
      commit(store, handle, i, (i - 1) * 1000L, bytes(1000, i));
    }
    store.setVersion(handle, 4);
    ChunkMeta m = ChunkStore.open("cs1", dir).state(handle).orElseThrow();
    assertThat(m.committedLength()).isEqualTo(150_000);
    assertThat(m.committedSequence()).isEqualTo(150);
    assertThat(m.version()).isEqualTo(4);
  }

  @Test
  void diskFullBecomesNoSpace() {
    assertThat(ChunkStore.translate("commit", new IOException("No space left on device"))
        .code()).isEqualTo(ChunkException.Code.NO_SPACE);
    assertThat(ChunkStore.translate("commit", new IOException("Input/output error")).code())
        .isEqualTo(ChunkException.Code.INTERNAL);
  }

  @Test
  void smallStageIsHeldInMemoryAndItsCommitIsAsDurableAsAFileStage() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    byte[] a = bytes(4096, 11);
    try (StageFile stage = store.openStage(handle, 1, 1, a.length,
        Crc32cBlocks.crc(a, 0, a.length))) {
      assertThat(stage.isInMemory()).isTrue();
      try (var files = Files.list(dir.resolve("staging"))) {
        assertThat(files).isEmpty(); // no file created (nor unlinked) for a small mutation
      }
      stage.write(ByteBuffer.wrap(a, 0, 1000));
      stage.write(ByteBuffer.wrap(a, 1000, a.length - 1000));
      stage.complete();
      store.commitStage(stage, 0, 1);
    }
    byte[] b = bytes(ChunkStore.STAGE_IN_MEMORY_MAX_BYTES + 1, 12); // just too large: a file
    try (StageFile stage = store.openStage(handle, 1, 2, b.length,
        Crc32cBlocks.crc(b, 0, b.length))) {
      assertThat(stage.isInMemory()).isFalse();
      stage.write(ByteBuffer.wrap(b));
      stage.complete();
      store.commitStage(stage, a.length, 2);
    }
    ChunkStore reopened = ChunkStore.open("cs1", dir);
    ChunkMeta m = reopened.state(handle).orElseThrow();
    assertThat(m.committedLength()).isEqualTo(a.length + b.length);
    ReadRegion r = reopened.read(handle, 1, 0, a.length + b.length);
    byte[] got = readAll(r);
    assertThat(Arrays.copyOf(got, a.length)).isEqualTo(a);
    assertThat(Arrays.copyOfRange(got, a.length, got.length)).isEqualTo(b);
    assertThat(Crc32cBlocks.firstMismatch(got, 0, r.blockCrc32c())).isEqualTo(-1);
  }

  @Test
  void inMemoryStagesAreBoundedByABudgetThatClosingGivesBack() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    int size = ChunkStore.STAGE_IN_MEMORY_MAX_BYTES;
    int fit = (int) (ChunkStore.STAGED_IN_MEMORY_BUDGET_BYTES / size);
    List<StageFile> open = new ArrayList<>();
    try {
      for (int i = 0; i < fit; i++) {
        open.add(store.openStage(handle, 1, i + 1, size, 0));
        assertThat(open.get(i).isInMemory()).isTrue();
      }
      StageFile over = store.openStage(handle, 1, fit + 1, size, 0);
      open.add(over);
      assertThat(over.isInMemory()).isFalse(); // the budget is spent: staged on file instead
      open.get(0).close();
      open.get(0).close(); // idempotent: gives its bytes back once
      StageFile again = store.openStage(handle, 1, fit + 2, size, 0);
      open.add(again);
      assertThat(again.isInMemory()).isTrue();
      StageFile overAgain = store.openStage(handle, 1, fit + 3, size, 0);
      open.add(overAgain);
      assertThat(overAgain.isInMemory()).isFalse();
    } finally {
      open.forEach(StageFile::close);
    }
  }
}
