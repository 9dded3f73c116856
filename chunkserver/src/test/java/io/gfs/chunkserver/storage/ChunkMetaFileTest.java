package io.gfs.chunkserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two-slot metadata file, with crashes simulated by writing over one slot. */
class ChunkMetaFileTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("0f0e0d0c-0000-4000-8000-000000000001.meta");
  }

  private static ChunkMeta meta(long version, long length, long seq) {
    int[] crcs = new int[Crc32cBlocks.blockCount(length)];
    for (int i = 0; i < crcs.length; i++) {
      crcs[i] = (int) (length * 31 + i);
    }
    return new ChunkMeta(version, length, seq, false, crcs);
  }

  private static void overwrite(Path file, long position, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b, position + b.position());
      }
    }
  }

  private static byte[] garbage(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void garbageOverEitherSlotLeavesTheOtherOne() throws IOException {
    ChunkMetaFile f = ChunkMetaFile.create(file(), meta(1, 0, 0)); // generation 1 in slot 0
    ChunkMeta a = meta(1, 100_000, 1);
    ChunkMeta b = meta(1, 200_000, 2);
    f.write(a); // generation 2, slot 1
    f.write(b); // generation 3, slot 0
    int slot = f.slotBytes();
    byte[] before = Files.readAllBytes(file());
    assertThat(ChunkMetaFile.open(file()).meta()).isEqualTo(b);

    overwrite(file(), 0, garbage(slot, 1));
    assertThat(ChunkMetaFile.open(file()).meta()).isEqualTo(a);

    Files.write(file(), before);
    overwrite(file(), slot, garbage(slot, 2));
    assertThat(ChunkMetaFile.open(file()).meta()).isEqualTo(b);
  }

  @Test
  void tornUpdateKeepsThePreviousStateAndTheNextUpdateSparesIt() throws IOException {
    ChunkMetaFile f = ChunkMetaFile.create(file(), meta(1, 0, 0));
    ChunkMeta a = meta(1, 300_000, 4);
    f.write(a); // generation 2, slot 1
    // a crash half way through writing generation 3 into slot 0
    byte[] next = MetaSlot.encode(3, meta(1, 400_000, 5));
    overwrite(file(), 0, Arrays.copyOf(next, next.length / 2));

    ChunkMetaFile.Loaded loaded = ChunkMetaFile.open(file());
    assertThat(loaded.meta()).isEqualTo(a);
    // after the restart the next update goes over the torn slot, never over the good one
    ChunkMeta c = meta(2, 300_000, 4);
    loaded.file().write(c);
    assertThat(ChunkMetaFile.open(file()).meta()).isEqualTo(c);
    overwrite(file(), 0, garbage(64, 3));
    assertThat(ChunkMetaFile.open(file()).meta()).isEqualTo(a);
  }

  @Test
  void bothSlotsCorruptIsAnErrorNamingBoth() throws IOException {
    ChunkMetaFile f = ChunkMetaFile.create(file(), meta(1, 0, 0));
    f.write(meta(1, 10, 1));
    overwrite(file(), 0, garbage(2 * f.slotBytes(), 4));
    assertThatThrownBy(() -> ChunkMetaFile.open(file()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("both metadata slots")
        .hasMessageContaining("slot 0")
        .hasMessageContaining("slot 1");
  }

  @Test
  void oldFormatAndForeignFilesAreRejectedClearly() throws IOException {
    ByteBuffer old = ByteBuffer.allocate(45).putInt(MetaSlot.OLD_MAGIC).putInt(1);
    Files.write(file(), old.array());
    assertThatThrownBy(() -> ChunkMetaFile.open(file()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("old pre-release format 1");
    Files.write(file(), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> ChunkMetaFile.open(file()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not in format 2 or 3");
  }

  @Test
  void manyUpdatesAreInPlaceAndTheLatestIsRead() throws IOException {
    ChunkMetaFile f = ChunkMetaFile.create(file(), meta(1, 0, 0));
    long size = Files.size(file());
    ChunkMeta last = null;
    for (int i = 1; i <= 300; i++) {
      last = meta(1 + i / 100, i * 20_000L, i);
      f.write(last);
      assertThat(Files.size(file())).isEqualTo(size);
    }
    assertThat(ChunkMetaFile.open(file()).meta()).isEqualTo(last);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file());
    }
  }

  @Test
  void chunkLargerThanTheInitialSlotsGrowsTheFile() throws IOException {
    ChunkMetaFile f = ChunkMetaFile.create(file(), meta(1, 0, 0));
    int initial = f.slotBytes();
    assertThat(initial).isGreaterThanOrEqualTo(
        MetaSlot.encodedBytes(ChunkMetaFile.INITIAL_CAPACITY_BLOCKS, ChunkMetaFile.TAIL_BYTES));
    long fits = (initial - MetaSlot.encodedBytes(0, 0)) / 4; // with an empty tail
    ChunkMeta full = meta(1, fits * Crc32cBlocks.BLOCK, 8);
    f.write(full);
    assertThat(f.slotBytes()).isEqualTo(initial);
    ChunkMeta big = meta(1, full.committedLength() + 1, 9);
    f.write(big);
    assertThat(f.slotBytes()).isGreaterThan(initial);
    assertThat(ChunkMetaFile.open(file()).meta()).isEqualTo(big);
    ChunkMeta sealed = big.withSealed();
    f.write(sealed);
    ChunkMetaFile.Loaded loaded = ChunkMetaFile.open(file());
    assertThat(loaded.meta()).isEqualTo(sealed);
    assertThat(loaded.meta().sealed()).isTrue();
    assertThat(loaded.file().slotBytes()).isEqualTo(f.slotBytes());
  }

  @Test
  void theTailIsReadBackWithItsSlotAndATornSlotKeepsThePreviousTail() throws IOException {
    ChunkMetaFile f = ChunkMetaFile.create(file(), meta(1, 0, 0));
    assertThat(ChunkMetaFile.open(file()).tail()).isEmpty();
    byte[] t1 = garbage(5000, 5);
    byte[] t2 = garbage(9000, 6);
    f.write(meta(1, 5000, 1), ByteBuffer.wrap(t1)); // generation 2, slot 1
    f.write(meta(1, 9000, 2), ByteBuffer.wrap(t2)); // generation 3, slot 0
    ChunkMetaFile.Loaded loaded = ChunkMetaFile.open(file());
    assertThat(loaded.meta()).isEqualTo(meta(1, 9000, 2));
    assertThat(loaded.tail()).isEqualTo(t2);

    overwrite(file(), 4000, garbage(8, 7)); // inside slot 0's tail
    loaded = ChunkMetaFile.open(file());
    assertThat(loaded.meta()).isEqualTo(meta(1, 5000, 1));
    assertThat(loaded.tail()).isEqualTo(t1);
  }

  @Test
  void aTailNeverExceedsItsRoomNorTheChunk() throws IOException {
    ChunkMetaFile f = ChunkMetaFile.create(file(), meta(1, 0, 0));
    assertThat(f.tailRoom(1024)).isEqualTo(ChunkMetaFile.TAIL_BYTES);
    assertThatThrownBy(() -> f.write(meta(1, 10, 1), ByteBuffer.allocate(11)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than the chunk");
    // a slot whose tail length was garbled, then checksummed as if valid, is still refused
    byte[] slot = MetaSlot.encode(9, meta(1, 10, 1), ByteBuffer.allocate(10));
    int tailField = MetaSlot.HEADER_BYTES + 4;
    ByteBuffer.wrap(slot).putInt(tailField, 1 << 30);
    assertThat(MetaSlot.decode(ByteBuffer.wrap(slot)).problem()).contains("does not fit");
  }
}
