package io.gfs.chunkserver.storage;

import static io.gfs.chunkserver.storage.ChunkStoreTest.bytes;
import static io.gfs.chunkserver.storage.ChunkStoreTest.commit;
import static io.gfs.chunkserver.storage.ChunkStoreTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small commits make their bytes durable in the metadata slot's tail instead of with a second
 * fdatasync of the data file. A power loss can drop what the data file did not sync; these tests
 * simulate exactly that loss (cutting or overwriting the data file after the synced part) and
 * check that a restart gives every committed byte back.
 */
class CommitTailTest {
  private static final int RECORD = 4096;
  @TempDir Path dir;
  private final String handle = UUID.randomUUID().toString();

  private Path data() {
    return dir.resolve("chunks").resolve(handle + ".chunk");
  }

  private Path meta() {
    return dir.resolve("chunks").resolve(handle + ".meta");
  }

  private ChunkStore storeWithChunk() throws IOException {
    ChunkStore store = ChunkStore.open("cs1", dir);
    store.createIfAbsent(handle, 1);
    return store;
  }

  /** The tail of the newest slot on disk, as a restart would read it. */
  private byte[] tailOnDisk() throws IOException {
    return ChunkMetaFile.open(meta()).tail();
  }

  /** Appends {@code count} records after {@code written}, recording them there too. */
  private long append(ChunkStore store, ByteArrayOutputStream written, int count) {
    long end = written.size();
    for (int i = 0; i < count; i++) {
      byte[] r = bytes(RECORD, written.size());
      end = commit(store, handle, end / RECORD + 1, end, r).committedLength();
      written.writeBytes(r);
    }
    return end;
  }

  /** The replica's committed length, bytes and block checksums are exactly {@code expected}. */
  static void assertHolds(ChunkStore store, String handle, byte[] expected)
      throws IOException {
    ChunkMeta m = store.state(handle).orElseThrow();
    assertThat(m.committedLength()).isEqualTo(expected.length);
    byte[] got = readAll(store.read(handle, m.version(), 0, expected.length));
    assertThat(got).isEqualTo(expected);
    assertThat(Crc32cBlocks.firstMismatch(got, 0, m.blockCrc32c())).isEqualTo(-1);
  }

  @Test
  void theTailGrowsWithSmallCommitsUntilTheDataFileIsSyncedInstead() throws IOException {
    ChunkStore store = storeWithChunk();
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    int perTail = ChunkMetaFile.TAIL_BYTES / RECORD;
    for (int i = 1; i <= perTail; i++) {
      append(store, written, 1);
      byte[] tail = tailOnDisk();
      assertThat(tail).hasSize(i * RECORD);
      // the tail is exactly the last bytes committed
      byte[] all = written.toByteArray();
      assertThat(tail).isEqualTo(Arrays.copyOfRange(all, all.length - tail.length, all.length));
    }
    append(store, written, 1); // would pass the tail's room: the data file is synced instead
    assertThat(tailOnDisk()).isEmpty();
    append(store, written, 1);
    assertThat(tailOnDisk()).hasSize(RECORD);

    byte[] big = bytes(ChunkMetaFile.TAIL_BYTES + 1, 7); // larger than any tail: synced directly
    long end = commit(store, handle, 99, written.size(), big).committedLength();
    written.writeBytes(big);
    assertThat(end).isEqualTo(written.size());
    assertThat(tailOnDisk()).isEmpty();
    assertHolds(store, handle, written.toByteArray());
  }

  @Test
  void aRestartAfterLosingTheUnsyncedDataGivesEveryCommittedByteBack() throws IOException {
    ChunkStore store = storeWithChunk();
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    int perTail = ChunkMetaFile.TAIL_BYTES / RECORD;
    long end = append(store, written, perTail + 1 + 3); // a sync, then three records in the tail
    byte[] tail = tailOnDisk();
    assertThat(tail).hasSize(3 * RECORD);
    long synced = end - tail.length;

    // a power loss that kept none of the data file's writes after its last fdatasync (its size
    // included: the preallocated zeros went with them)
    try (FileChannel ch = FileChannel.open(data(), StandardOpenOption.WRITE)) {
      ch.truncate(synced);
    }
    ChunkStore reopened = ChunkStore.open("cs1", dir);
    assertHolds(reopened, handle, written.toByteArray());
    assertThat(Files.size(data())).isEqualTo(end);

    // the next commits go on from there, and a second loss is repaired the same way
    end = append(reopened, written, 2);
    tail = tailOnDisk();
    assertThat(tail).isNotEmpty();
    try (FileChannel ch = FileChannel.open(data(), StandardOpenOption.WRITE)) {
      // this time a torn write-back: the pages are there but hold other bytes
      ch.write(ByteBuffer.wrap(bytes(tail.length, 42)), end - tail.length);
    }
    ChunkStore again = ChunkStore.open("cs1", dir);
    assertHolds(again, handle, written.toByteArray());
  }

  @Test
  void aTornNewestSlotFallsBackToThePreviousCommitWithItsOwnTail() throws IOException {
    ChunkStore store = storeWithChunk();
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    append(store, written, 2);
    byte[] previous = written.toByteArray();
    append(store, written, 1); // its slot is torn below: the commit was never acknowledged

    int slotBytes = Math.toIntExact(Files.size(meta()) / 2);
    int newest = newestSlot(slotBytes);
    try (FileChannel ch = FileChannel.open(meta(), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes(100, 3)), (long) newest * slotBytes + 200);
    }
    try (FileChannel ch = FileChannel.open(data(), StandardOpenOption.WRITE)) {
      ch.truncate(0); // nothing of the data file was synced yet: both commits were in tails
    }
    ChunkStore reopened = ChunkStore.open("cs1", dir);
    assertHolds(reopened, handle, previous);
    assertThat(Files.size(data())).isEqualTo(previous.length);
  }

  private int newestSlot(int slotBytes) throws IOException {
    byte[] all = Files.readAllBytes(meta());
    long[] generations = new long[2];
    for (int i = 0; i < 2; i++) {
      MetaSlot.Result r = MetaSlot.decode(ByteBuffer.wrap(all, i * slotBytes, slotBytes));
      generations[i] = r.valid() ? r.decoded().generation() : -1;
    }
    return generations[0] > generations[1] ? 0 : 1;
  }

  @Test
  void versionChangesAndSealingSyncTheDataFileAndLeaveNoTail() throws IOException {
    ChunkStore store = storeWithChunk();
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    append(store, written, 2);
    assertThat(tailOnDisk()).hasSize(2 * RECORD);
    store.setVersion(handle, 2);
    assertThat(tailOnDisk()).isEmpty();
    assertThat(store.state(handle).orElseThrow().version()).isEqualTo(2);

    long end = written.size();
    byte[] r = bytes(RECORD, 5);
    try (StageFile stage = store.openStage(handle, 2, 3, r.length, Crc32cBlocks.crc(r, 0,
        r.length))) {
      stage.write(ByteBuffer.wrap(r));
      stage.complete();
      store.commitStage(stage, end, 3);
    }
    written.writeBytes(r);
    assertThat(tailOnDisk()).hasSize(RECORD);
    store.seal(handle);
    assertThat(tailOnDisk()).isEmpty();
    ChunkStore reopened = ChunkStore.open("cs1", dir);
    assertHolds(reopened, handle, written.toByteArray());
    assertThat(reopened.state(handle).orElseThrow().sealed()).isTrue();
  }

  @Test
  void metadataFromEarlierBuildsLoadsAndCommitsWithTheRoomItHas() throws IOException {
    // an earlier build's replica: format-2 slots of 8 KiB (no tail field), 10,000 bytes
    byte[] first = bytes(10_000, 11);
    Files.createDirectories(data().getParent());
    Files.write(data(), first);
    int[] crcs = {Crc32cBlocks.crc(first, 0, first.length)};
    int slotBytes = 8192;
    ByteBuffer file = ByteBuffer.allocate(2 * slotBytes);
    file.put(formatTwoSlot(1, new ChunkMeta(1, first.length, 1, false, crcs)));
    Files.write(meta(), file.array());

    ChunkStore store = ChunkStore.open("cs1", dir);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    written.writeBytes(first);
    assertHolds(store, handle, written.toByteArray());

    // the old slots have room for one record beside the header and CRCs, not for two
    long end = first.length;
    for (int i = 0; i < 3; i++) {
      byte[] r = bytes(RECORD, 20 + i);
      end = commit(store, handle, 2 + i, end, r).committedLength();
      written.writeBytes(r);
      assertThat(tailOnDisk()).hasSize(i == 1 ? 0 : RECORD);
    }
    assertThat(Files.size(meta())).isEqualTo(2 * slotBytes);
    try (FileChannel ch = FileChannel.open(data(), StandardOpenOption.WRITE)) {
      ch.truncate(end - RECORD);
    }
    assertHolds(ChunkStore.open("cs1", dir), handle, written.toByteArray());
  }

  /** A slot exactly as the format-2 builds wrote it. */
  private static byte[] formatTwoSlot(long generation, ChunkMeta m) {
    int[] crcs = m.blockCrc32c();
    ByteBuffer b = ByteBuffer.allocate(MetaSlot.HEADER_BYTES + 4 * crcs.length + 4);
    b.putInt(MetaSlot.MAGIC).putInt(2).putLong(generation).putLong(m.version())
        .putLong(m.committedLength()).putLong(m.committedSequence()).putInt(0)
        .putInt(crcs.length);
    for (int c : crcs) {
      b.putInt(c);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }
}
