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
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WRITE at a replica's committed length is staged in the chunk file itself, beyond the committed
 * length, and its commit copies nothing. What must never happen: committed bytes changed by a
 * stage, or a stage whose bytes were disturbed becoming part of the chunk.
 */
class InPlaceStageTest {
  private static final int BIG = 300_000; // above the in-memory stage limit

  @TempDir Path dir;
  private final String handle = UUID.randomUUID().toString();

  private static int crc(byte[] b) {
    return Crc32cBlocks.crc(b, 0, b.length);
  }

  private byte[] read(ChunkStore store, long offset, int length) throws IOException {
    ReadRegion r = store.read(handle, 1, offset, length);
    byte[] region = ChunkStoreTest.readAll(r);
    assertThat(Crc32cBlocks.firstMismatch(region, r.chunkOffset(), r.blockCrc32c()))
        .as("block checksums").isEqualTo(-1);
    int from = (int) (offset - r.chunkOffset()); // regions start on a checksum block
    return Arrays.copyOfRange(region, from, from + length);
  }

  private Path dataFile() {
    return dir.resolve("chunks").resolve(handle + ".chunk");
  }

  /** A stage of {@code data} (length and CRC32C declared) for a WRITE at {@code at}. */
  private StageFile stage(ChunkStore store, long stageId, byte[] data, long at) {
    return store.openStage(handle, 1, stageId, data.length, crc(data), at);
  }

  private ChunkStore storeWithCommitted(byte[] first) throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    ChunkStoreTest.commit(store, handle, 1, 0, first);
    return store;
  }

  @Test
  void aWriteAtTheCommittedLengthIsStagedInPlaceAndCommitsWithoutAStagingFile()
      throws IOException {
    byte[] a = ChunkStoreTest.bytes(100_000, 1);
    ChunkStore store = storeWithCommitted(a);
    byte[] b = ChunkStoreTest.bytes(BIG, 2);
    try (StageFile s = stage(store, 2, b, a.length)) {
      assertThat(s.isInPlace()).isTrue();
      s.write(ByteBuffer.wrap(b, 0, 70_000));
      s.write(ByteBuffer.wrap(b, 70_000, b.length - 70_000));
      s.complete();
      try (var files = Files.list(dir.resolve("staging"))) {
        assertThat(files).isEmpty();
      }
      assertThat(store.state(handle).orElseThrow().committedLength())
          .as("staged bytes are not part of the chunk before the commit").isEqualTo(a.length);
      assertThat(store.commitStage(s, a.length, 2).committedLength())
          .isEqualTo(a.length + b.length);
    }
    ChunkStore reopened = ChunkStore.open("cs1", dir);
    assertThat(reopened.state(handle).orElseThrow().committedLength())
        .isEqualTo(a.length + b.length);
    byte[] got = read(reopened, 0, a.length + b.length);
    assertThat(Arrays.copyOf(got, a.length)).isEqualTo(a);
    assertThat(Arrays.copyOfRange(got, a.length, got.length)).isEqualTo(b);
  }

  @Test
  void onlyOneStagePerChunkAndOnlyAtTheCommittedLengthGoesInPlace() throws IOException {
    byte[] a = ChunkStoreTest.bytes(1000, 1);
    ChunkStore store = storeWithCommitted(a);
    try (StageFile first = store.openStage(handle, 1, 2, BIG, 0, a.length);
        StageFile second = store.openStage(handle, 1, 3, BIG, 0, a.length);
        StageFile elsewhere = store.openStage(handle, 1, 4, BIG, 0, a.length + 10);
        StageFile append = store.openStage(handle, 1, 5, BIG, 0, -1);
        StageFile small = store.openStage(handle, 1, 6, 1000, 0, a.length)) {
      assertThat(first.isInPlace()).isTrue();
      assertThat(second.isInPlace()).isFalse();
      assertThat(elsewhere.isInPlace()).isFalse();
      assertThat(append.isInPlace()).isFalse();
      assertThat(small.isInPlace()).isFalse();
      assertThat(small.isInMemory()).isTrue();
    }
    try (StageFile again = store.openStage(handle, 1, 7, BIG, 0, a.length)) {
      assertThat(again.isInPlace()).as("closing gives the place back").isTrue();
    }
  }

  @Test
  void aStageOvertakenByAnotherCommitNeverTouchesCommittedBytesAndCannotCommit()
      throws IOException {
    byte[] a = ChunkStoreTest.bytes(1000, 1);
    ChunkStore store = storeWithCommitted(a);
    byte[] w = ChunkStoreTest.bytes(BIG, 2);
    byte[] other = ChunkStoreTest.bytes(BIG, 3);
    try (StageFile inPlace = stage(store, 2, w, a.length)) {
      assertThat(inPlace.isInPlace()).isTrue();
      inPlace.write(ByteBuffer.wrap(w, 0, 1000));
      // Another mutation (an append, staged on file) commits at the same place first.
      ChunkStoreTest.commit(store, handle, 2, a.length, other);
      assertThatThrownBy(() -> inPlace.write(ByteBuffer.wrap(w, 1000, 5000)))
          .isInstanceOf(ChunkException.class)
          .extracting(e -> ((ChunkException) e).code())
          .isEqualTo(ChunkException.Code.INVALID_ARGUMENT);
      assertThat(read(store, a.length, other.length)).isEqualTo(other);
    }
    // A stage completed before the other commit cannot commit at its old place either.
    long end = a.length + other.length;
    byte[] w2 = ChunkStoreTest.bytes(BIG, 4);
    try (StageFile inPlace = stage(store, 4, w2, end)) {
      inPlace.write(ByteBuffer.wrap(w2));
      inPlace.complete();
      ChunkStoreTest.commit(store, handle, 3, end, a);
      assertThatThrownBy(() -> store.commitStage(inPlace, end, 4))
          .isInstanceOf(ChunkException.class);
      assertThatThrownBy(() -> store.commitStage(inPlace, end + a.length, 4))
          .as("an in-place stage commits only where it was staged")
          .isInstanceOf(ChunkException.class);
    }
    assertThat(store.state(handle).orElseThrow().committedLength()).isEqualTo(end + a.length);
    assertThat(read(store, end, a.length)).isEqualTo(a);
  }

  @Test
  void stagedBytesDisturbedBeforeTheCommitFailTheChecksumAndAreCutOff() throws IOException {
    byte[] a = ChunkStoreTest.bytes(1000, 1);
    ChunkStore store = storeWithCommitted(a);
    byte[] w = ChunkStoreTest.bytes(BIG, 2);
    try (StageFile inPlace = stage(store, 2, w, a.length)) {
      inPlace.write(ByteBuffer.wrap(w));
      inPlace.complete();
      // What a failed commit's rollback or a small commit's zero fill would do to the tail.
      try (FileChannel ch = FileChannel.open(dataFile(), StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.allocate(4096), a.length + 70_000);
      }
      assertThatThrownBy(() -> store.commitStage(inPlace, a.length, 2))
          .isInstanceOf(ChunkException.class)
          .extracting(e -> ((ChunkException) e).code())
          .isEqualTo(ChunkException.Code.CHECKSUM_MISMATCH);
    }
    assertThat(store.state(handle).orElseThrow().committedLength()).isEqualTo(a.length);
    assertThat(Files.size(dataFile())).as("rolled back to the committed length")
        .isLessThanOrEqualTo(StoredChunk.PREALLOCATE_STEP);
    // The place is free again and a retry commits.
    try (StageFile retry = stage(store, 3, w, a.length)) {
      assertThat(retry.isInPlace()).isTrue();
      retry.write(ByteBuffer.wrap(w));
      retry.complete();
      assertThat(store.commitStage(retry, a.length, 2).committedLength())
          .isEqualTo(a.length + w.length);
    }
    assertThat(read(store, a.length, w.length)).isEqualTo(w);
  }

  @Test
  void aStageThatNeverCommitsIsGoneAfterARestart() throws IOException {
    byte[] a = ChunkStoreTest.bytes(1000, 1);
    ChunkStore store = storeWithCommitted(a);
    byte[] w = ChunkStoreTest.bytes(BIG, 2);
    StageFile inPlace = stage(store, 2, w, a.length);
    inPlace.write(ByteBuffer.wrap(w));
    inPlace.complete(); // READY, then the process dies before COMMIT

    ChunkStore reopened = ChunkStore.open("cs1", dir);
    assertThat(reopened.state(handle).orElseThrow().committedLength()).isEqualTo(a.length);
    assertThat(Files.size(dataFile())).isEqualTo(a.length);
    assertThat(read(reopened, 0, a.length)).isEqualTo(a);
  }
}
