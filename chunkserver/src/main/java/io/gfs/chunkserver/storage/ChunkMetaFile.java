package io.gfs.chunkserver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The metadata file of one replica: two equal, page-aligned slots, each able to hold a whole
 * {@link MetaSlot}. An update writes the new state, with the next generation number, over the
 * slot that does NOT hold the current state, and fdatasyncs: one pwrite and one fdatasync, no
 * temp file, rename or directory fsync. Reading takes the valid slot with the highest generation,
 * so a crash mid-update (a torn slot) leaves the previous state in the other slot.
 *
 * <p>Why two slots and not an append-only record log: the file never changes size after it is
 * created, and every slot byte is allocated then (zeros), so an update's fdatasync writes a few
 * data pages and no file-system metadata (no journal commit on ext4/xfs); a log would grow the
 * file (an inode update per append) and need compaction, which is a temp + rename again. Rewriting
 * the whole CRC array each time costs at most 4 KiB for a 64 MiB chunk, the tail at most
 * {@link #TAIL_BYTES}.
 *
 * <p>Slots start sized for a 64 MiB chunk (1024 block CRCs) plus a tail of {@link #TAIL_BYTES}
 * (see {@link MetaSlot}). A chunk that outgrows them (larger chunk sizes) gets a new file with
 * slots twice as large, written atomically (temp, fsync, rename, directory fsync) — a handful of
 * times in the life of such a chunk. Files written by earlier builds have no tail room; their
 * chunks simply commit without tails.
 *
 * <p>Not thread safe: the owning {@link StoredChunk} calls {@link #write} and {@link #close} under
 * its chunk lock.
 */
final class ChunkMetaFile {
  static final int PAGE = 4096;
  static final int INITIAL_CAPACITY_BLOCKS = 1024; // a 64 MiB chunk of 64 KiB blocks
  /**
   * The most committed bytes a slot carries for the data file (its tail). Each small commit
   * rewrites the whole tail, so this bounds the bytes written per commit; when a commit would
   * pass it, the data file is fdatasynced instead and the tail starts again empty: of nine 4 KiB
   * appends, eight ride in the tail and the ninth pays a second fdatasync.
   */
  static final int TAIL_BYTES = 32 * 1024;

  /**
   * A slot is encoded into a direct buffer of the writing thread, so its write copies nothing
   * (from a heap array the JDK would copy it into a temporary direct buffer first).
   */
  private static final ThreadLocal<ByteBuffer> SLOT_BUFFER = new ThreadLocal<>();

  private final Path path;
  private FileChannel channel; // open between writes, or null; see channel()
  private int slotBytes;
  private int current; // the slot holding the latest durable state
  private long generation; // that state's generation

  private ChunkMetaFile(Path path, int slotBytes, int current, long generation) {
    this.path = path;
    this.slotBytes = slotBytes;
    this.current = current;
    this.generation = generation;
  }

  /**
   * A metadata file opened at start: the file, the state it holds, and the tail: the last
   * committed bytes, which the data file may have lost in a crash and must be given back.
   */
  record Loaded(ChunkMetaFile file, ChunkMeta meta, byte[] tail) {}

  Path path() {
    return path;
  }

  int slotBytes() {
    return slotBytes;
  }

  /**
   * Creates the file holding {@code meta} (replacing any earlier file atomically). The caller
   * fsyncs the directory, once, with the chunk's data file.
   */
  static ChunkMetaFile create(Path path, ChunkMeta meta) throws IOException {
    int blocks = Math.max(INITIAL_CAPACITY_BLOCKS, meta.crcsUnsafe().length);
    ChunkMetaFile f = new ChunkMetaFile(path, slotBytesFor(blocks), 0, 0);
    f.rewrite(f.slotBytes, 1, MetaSlot.encode(1, meta));
    return f;
  }

  /** Reads the latest valid state; throws with a clear message when there is none. */
  static Loaded open(Path path) throws IOException {
    byte[] all = Files.readAllBytes(path);
    if (all.length < 2 * PAGE || all.length % (2 * PAGE) != 0) {
      throw new IOException(notThisFormat(path, all));
    }
    int slotBytes = all.length / 2;
    MetaSlot.Result[] slots = new MetaSlot.Result[2];
    int best = -1;
    for (int i = 0; i < 2; i++) {
      slots[i] = MetaSlot.decode(ByteBuffer.wrap(all, i * slotBytes, slotBytes));
      if (slots[i].valid() && (best < 0
          || slots[i].decoded().generation() > slots[best].decoded().generation())) {
        best = i;
      }
    }
    if (best < 0) {
      if (ByteBuffer.wrap(all).getInt() == MetaSlot.OLD_MAGIC) {
        throw new IOException(notThisFormat(path, all));
      }
      throw new IOException("both metadata slots of " + path.getFileName() + " are invalid:"
          + " slot 0 " + slots[0].problem() + "; slot 1 " + slots[1].problem());
    }
    MetaSlot.Decoded d = slots[best].decoded();
    return new Loaded(new ChunkMetaFile(path, slotBytes, best, d.generation()), d.meta(),
        d.tail());
  }

  private static String notThisFormat(Path path, byte[] all) {
    if (all.length >= 4 && ByteBuffer.wrap(all).getInt() == MetaSlot.OLD_MAGIC) {
      return "chunk metadata " + path.getFileName() + " is in the old pre-release format 1;"
          + " this build reads only formats 2 and 3 (two checksummed slots) and does not convert:"
          + " remove the chunk's files or start with an empty data directory";
    }
    return "chunk metadata " + path.getFileName() + " is not in format 2 or 3: " + all.length
        + " bytes, expected two slots of a multiple of " + PAGE + " bytes";
  }

  /**
   * Makes {@code meta} the durable state: after this returns a restart reads it. On an exception
   * the slot being written may be torn, but the other one still holds the previous state, and the
   * next write goes to the same slot again.
   */
  void write(ChunkMeta meta) throws IOException {
    write(meta, 0, dst -> { });
  }

  /** As {@link #write(ChunkMeta)}, with {@code tail} (position to limit) as the tail. */
  void write(ChunkMeta meta, ByteBuffer tail) throws IOException {
    write(meta, tail.remaining(), dst -> dst.put(tail.duplicate()));
  }

  /**
   * As {@link #write(ChunkMeta)}, with a tail of {@code tailLength} bytes (at most
   * {@link #tailRoom}), the last committed bytes, which {@code tail} puts in place: durable when
   * this returns.
   */
  void write(ChunkMeta meta, int tailLength, MetaSlot.TailSource tail) throws IOException {
    long next = generation + 1;
    int bytes = MetaSlot.encodedBytes(meta.crcsUnsafe().length, tailLength);
    if (bytes > slotBytes) {
      ByteBuffer slot = ByteBuffer.allocate(bytes);
      MetaSlot.encode(slot, next, meta, tailLength, tail);
      int blocks = Math.max(INITIAL_CAPACITY_BLOCKS,
          (slotBytes - MetaSlot.encodedBytes(0, TAIL_BYTES)) / 4);
      rewrite(slotBytesFor(Math.max(2 * blocks, meta.crcsUnsafe().length)), next, slot.array());
      fsyncDirectory(path.getParent());
      return;
    }
    ByteBuffer slot = slotBuffer(bytes);
    MetaSlot.encode(slot, next, meta, tailLength, tail);
    int target = 1 - current;
    FileChannel ch = channel();
    FileChannels.writeFully(ch, slot.flip(), (long) target * slotBytes);
    ch.force(false);
    current = target;
    generation = next;
  }

  /**
   * The file, opened by the first write and kept open for the next ones (a commit per small
   * append would otherwise open and close it every time); see {@link #close}.
   */
  private FileChannel channel() throws IOException {
    if (channel == null || !channel.isOpen()) {
      channel = FileChannel.open(path, StandardOpenOption.WRITE);
    }
    return channel;
  }

  /** Closes the file if a write left it open; the next write opens it again. */
  void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // every write that returned was fdatasynced: closing loses nothing
      }
      channel = null;
    }
  }

  boolean isOpen() {
    return channel != null && channel.isOpen();
  }

  /** This thread's direct buffer for encoding a slot, cleared, at least {@code bytes} long. */
  private static ByteBuffer slotBuffer(int bytes) {
    ByteBuffer b = SLOT_BUFFER.get();
    if (b == null || b.capacity() < bytes) {
      b = ByteBuffer.allocateDirect(Math.max(bytes, slotBytesFor(INITIAL_CAPACITY_BLOCKS)));
      SLOT_BUFFER.set(b);
    }
    return b.clear().limit(bytes);
  }

  /** A whole new file with {@code slot} in slot 0 and zeros elsewhere, put in place atomically. */
  private void rewrite(int newSlotBytes, long gen, byte[] slot) throws IOException {
    close(); // the file is replaced: a channel kept open would write to the old one
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    ByteBuffer file = ByteBuffer.allocate(2 * newSlotBytes);
    file.put(slot).clear();
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      FileChannels.writeFully(ch, file, 0);
      ch.force(true);
    }
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("file system cannot rename atomically: " + path.getParent(), e);
    }
    slotBytes = newSlotBytes;
    current = 0;
    generation = gen;
  }

  /** How long a tail a slot can carry beside {@code blockCount} CRCs. */
  int tailRoom(int blockCount) {
    return Math.max(0, Math.min(TAIL_BYTES, slotBytes - MetaSlot.encodedBytes(blockCount, 0)));
  }

  static int slotBytesFor(int blocks) {
    long bytes = MetaSlot.encodedBytes(blocks, TAIL_BYTES);
    return Math.toIntExact((bytes + PAGE - 1) / PAGE * PAGE);
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
