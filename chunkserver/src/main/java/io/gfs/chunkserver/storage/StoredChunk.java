package io.gfs.chunkserver.storage;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One replica of a chunk on disk: its data file and metadata file. Mutations (extend, version,
 * seal) are serialized by {@code lock}, which is per chunk and never nested with another lock;
 * it is held across the file I/O of one mutation because that I/O *is* the ordering. Readers
 * never take it: they read the volatile {@code meta}, and bytes below its committed length never
 * change.
 */
final class StoredChunk {
  /**
   * A commit smaller than this first extends the data file with zeros to the next multiple of
   * it, so most small commits write inside the file. An fdatasync that must also make a new file
   * size durable costs about three times one that does not (4 KiB appends on ext4: 450 vs
   * 150 us); durable small appends pay it once per step instead of every time. Bytes beyond the
   * committed length are never read; sealing and restarts cut them off.
   */
  static final int PREALLOCATE_STEP = 256 * 1024;
  private static final ByteBuffer ZEROS =
      ByteBuffer.allocateDirect(PREALLOCATE_STEP).asReadOnlyBuffer();

  private final String handle;
  private final Path dataPath;
  private final ChunkMetaFile metaFile; // written under lock only
  /**
   * Guarded by lock: the data file, opened by the first commit and kept open for the next ones,
   * or null. A durable small append would otherwise open and close both files every time; the
   * store closes the files of chunks it has not written lately (see {@link #tryCloseFiles}).
   */
  private FileChannel openData;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile ChunkMeta meta; // written under lock, after the metadata file is durable
  /**
   * Guarded by lock: the data file is durable up to here; the committed bytes after it are durable
   * as the tail of the metadata slot (see {@link #finishExtend}).
   */
  private long syncedLength;
  private StageFile inPlaceStage; // guarded by lock: the one stage in this chunk's file, or null
  private FileChannel inPlaceChannel; // guarded by lock: open while inPlaceStage is
  private DirectWriter inPlaceDirect; // guarded by lock: how inPlaceStage writes, or null (cached)
  /** Guarded by lock: counts the changes of the data file (commits, rollbacks, seals). */
  private long fileChanges;
  private long fileChangesAtStage; // guarded by lock: fileChanges when inPlaceStage began

  StoredChunk(String handle, Path dataPath, ChunkMetaFile metaFile, ChunkMeta meta) {
    this.handle = handle;
    this.dataPath = dataPath;
    this.metaFile = metaFile;
    this.meta = meta;
    this.syncedLength = meta.committedLength(); // the store gave any tail back to the data file
  }

  String handle() {
    return handle;
  }

  ChunkMeta meta() {
    return meta;
  }

  Path dataPath() {
    return dataPath;
  }

  /**
   * A stage for a WRITE of {@code length} bytes at {@code offset} in this chunk's own data file,
   * or null when that cannot be: the offset is not the committed length, the chunk is sealed or
   * older than {@code version}, or another stage already has the place. With
   * {@code directAlignment} (0: none) a large stage writes with direct I/O ({@link DirectWriter}).
   */
  StageFile tryStageInPlace(long version, long stageId, long offset, long length, int crc32c,
      int directAlignment) {
    lock.lock();
    try {
      ChunkMeta m = meta;
      if (inPlaceStage != null || m.sealed() || version < m.version()
          || offset != m.committedLength()) {
        return null;
      }
      FileChannel channel = FileChannel.open(dataPath, StandardOpenOption.WRITE,
          StandardOpenOption.READ);
      try {
        inPlaceDirect = DirectWriter.open(dataPath, directAlignment, offset, length, channel);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      inPlaceChannel = channel;
      fileChangesAtStage = fileChanges;
      inPlaceStage = StageFile.inPlace(this, offset, version, stageId, length, crc32c);
      return inPlaceStage;
    } catch (IOException e) {
      throw ChunkStore.translate("open in-place stage", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes staged bytes at {@code position} of the data file. Only ever beyond the committed
   * length: a chunk that grew past the stage's place (another mutation committed there first)
   * refuses the rest of it, and that WRITE could no longer commit at its offset anyway.
   */
  void writeInPlace(StageFile stage, long position, ByteBuffer piece) {
    lock.lock();
    try {
      if (inPlaceStage != stage) {
        throw new IllegalStateException("in-place stage of chunk " + handle + " was released");
      }
      if (position < meta.committedLength()) {
        throw new ChunkException(Code.INVALID_ARGUMENT, "chunk " + handle + " grew to "
            + meta.committedLength() + " while a write at " + stage.inPlaceOffset()
            + " was staged there");
      }
      if (inPlaceDirect == null) {
        FileChannels.writeFully(inPlaceChannel, piece, position);
      } else if (position == inPlaceDirect.nextPosition()) {
        inPlaceDirect.write(piece);
      } else {
        throw new IllegalStateException("direct stage of chunk " + handle + " written at "
            + position + ", expected " + inPlaceDirect.nextPosition());
      }
    } catch (IOException e) {
      throw ChunkStore.translate("stage write", e);
    } finally {
      lock.unlock();
    }
  }

  /** Gives the place back (the stage was closed); the bytes it wrote stay beyond the end. */
  void releaseInPlace(StageFile stage) {
    lock.lock();
    try {
      if (inPlaceStage == stage) {
        inPlaceStage = null;
        try {
          if (inPlaceDirect != null) {
            inPlaceDirect.close();
          }
          inPlaceChannel.close();
        } catch (IOException ignored) {
          // nothing was lost: the bytes beyond the committed length are not part of the chunk
        }
        inPlaceDirect = null;
        inPlaceChannel = null;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Appends a completed stage at {@code offset}, which must be the committed length. */
  ChunkMeta extendFromStage(StageFile stage, long offset, long newSequence) {
    if (stage.isInPlace()) {
      return commitInPlace(stage, offset, newSequence);
    }
    long end = offset + stage.length();
    return extend(offset, stage.version(), "commit", (m, data) -> {
      preallocate(data, offset, end);
      ByteBuffer inMemory = stage.memoryBytes();
      if (inMemory != null) {
        if (inMemory.remaining() != stage.length()) {
          throw new IOException("stage holds fewer bytes than declared");
        }
        FileChannels.writeFully(data, inMemory, offset);
      } else {
        long copied = 0;
        while (copied < stage.length()) {
          long n = data.transferFrom(stage.channel().position(copied), offset + copied,
              stage.length() - copied);
          if (n <= 0) {
            throw new IOException("stage file shorter than declared");
          }
          copied += n;
        }
      }
      return finishExtend(m, data, offset, end, newSequence, stage.crc32c());
    });
  }

  /** Whether {@code stage} is this chunk's in-place stage and writes with direct I/O. */
  boolean writesDirectly(StageFile stage) {
    lock.lock();
    try {
      return inPlaceStage == stage && inPlaceDirect != null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Commits a stage that is already in place: only the fsync and the checksums are left. The
   * bytes are read back and must match the mutation's CRC32C, so a stage whose place was
   * overwritten or cut (another commit, its rollback, a seal) can never commit. A stage written
   * with direct I/O is not read back (that would read the disk): its writer computed the
   * checksums on the bytes it wrote, and it commits only if nothing else changed the data file
   * since it began.
   */
  private ChunkMeta commitInPlace(StageFile stage, long offset, long newSequence) {
    lock.lock(); // reentrant: held across the checks and the extend
    try {
      checkExtend(offset, stage.version()); // the usual refusals come first, as for any commit
      if (stage.inPlaceChunk() != this || offset != stage.inPlaceOffset()
          || inPlaceStage != stage) {
        throw new ChunkException(Code.INVALID_ARGUMENT, "mutation staged in place at "
            + stage.inPlaceOffset() + " of chunk " + handle + " cannot commit at " + offset);
      }
      long end = offset + stage.length();
      DirectWriter direct = inPlaceDirect;
      if (direct == null) {
        return extend(offset, stage.version(), "commit", (m, data) -> finishExtend(m, data,
            offset, end, newSequence, stage.crc32c()));
      }
      boolean disturbed = fileChanges != fileChangesAtStage;
      return extend(offset, stage.version(), "commit", (m, data) -> {
        if (disturbed) {
          throw new ChunkException(Code.CHECKSUM_MISMATCH, "the data file of chunk " + handle
              + " changed while a write was staged in it at " + offset);
        }
        direct.finish();
        if (direct.written() != stage.length()) { // the stage checked these bytes' CRC32C
          throw new ChunkException(Code.CHECKSUM_MISMATCH, direct.written() + " bytes written"
              + " to chunk " + handle + " for a mutation of " + stage.length());
        }
        return commitExtent(m, data, end, newSequence, direct.blockCrcsAfter(m.crcsUnsafe()));
      });
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends bytes copied from a peer's committed data (recovery, re-replication); a large piece
   * at an aligned offset with direct I/O when {@code directAlignment} allows (see
   * {@link DirectWriter}), its checksums computed on the bytes written.
   */
  ChunkMeta extendWithBytes(ByteBuffer bytes, long offset, long newSequence,
      int directAlignment) {
    long end = offset + bytes.remaining();
    lock.lock(); // reentrant: the replica's own version, read under the lock, is the one checked
    try {
      return extend(offset, meta.version(), "copy", (m, data) -> {
        DirectWriter direct = DirectWriter.open(dataPath, directAlignment, offset,
            bytes.remaining(), data);
        if (direct == null) {
          preallocate(data, offset, end);
          FileChannels.writeFully(data, bytes, offset);
          return finishExtend(m, data, offset, end, newSequence, null);
        }
        try (direct) {
          direct.write(bytes);
          direct.finish();
          return commitExtent(m, data, end, newSequence, direct.blockCrcsAfter(m.crcsUnsafe()));
        }
      });
    } finally {
      lock.unlock();
    }
  }

  /** One way of putting a mutation's bytes at the end of the data file and committing them. */
  @FunctionalInterface
  private interface Extension {
    ChunkMeta apply(ChunkMeta before, FileChannel data) throws IOException;
  }

  /**
   * Under the lock, after checking that {@code offset} is the committed length: runs
   * {@code extension} on the open data file, and cuts the file back to the committed length if
   * it fails, so nothing is ever half-committed.
   */
  private ChunkMeta extend(long offset, long version, String what, Extension extension) {
    lock.lock();
    try {
      ChunkMeta m = checkExtend(offset, version);
      fileChanges++;
      FileChannel data = dataFile();
      try {
        return extension.apply(m, data);
      } catch (IOException | RuntimeException e) {
        rollback(data, m.committedLength());
        if (e instanceof IOException) {
          closeFilesLocked(); // the next commit starts again with files opened afresh
        }
        throw e;
      }
    } catch (IOException e) {
      throw ChunkStore.translate(what, e);
    } finally {
      lock.unlock();
    }
  }

  private ChunkMeta checkExtend(long offset, long version) {
    ChunkMeta m = meta;
    if (version < m.version()) {
      throw new ChunkException(Code.STALE_VERSION,
          "mutation version " + version + " older than replica version " + m.version());
    }
    if (m.sealed()) {
      throw new ChunkException(Code.CHUNK_FULL, "chunk " + handle + " is sealed");
    }
    if (offset != m.committedLength()) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "mutation offset " + offset
          + " is not the committed length " + m.committedLength() + " of chunk " + handle);
    }
    return m;
  }

  /** See {@link #PREALLOCATE_STEP}; the zeros reach the disk with the commit's fdatasync. */
  private static void preallocate(FileChannel data, long offset, long end) throws IOException {
    if (end - offset >= PREALLOCATE_STEP) {
      return;
    }
    long size = data.size();
    if (end <= size) {
      return;
    }
    long to = (end + PREALLOCATE_STEP - 1) / PREALLOCATE_STEP * PREALLOCATE_STEP;
    ByteBuffer zeros = ZEROS.duplicate();
    zeros.limit((int) (to - end));
    try {
      FileChannels.writeFully(data, zeros, end);
    } catch (IOException e) {
      // A disk too full for the step may still hold the commit: go on without it (a full
      // disk then fails the commit's own write, as before).
      data.truncate(size);
    }
  }

  /**
   * Makes bytes [offset, end) of the data file durable and part of the chunk. With
   * {@code expectedCrc32c}, the bytes read back from the file must match it (the mutation's).
   *
   * <p>One fdatasync per commit, not two: while the bytes the data file has not made durable
   * (from {@code syncedLength} to {@code end}) fit a metadata slot's tail, the slot carries them
   * and its write and fdatasync make them durable together with the new length; a restart gives
   * them back to the data file. Past that, the data file is fdatasynced first, as before, and the
   * tail starts again empty. Either way everything below the new length is durable when the slot
   * is, and the slot is written only then.
   */
  private ChunkMeta finishExtend(ChunkMeta m, FileChannel data, long offset, long end, long seq,
      Integer expectedCrc32c) throws IOException {
    return commitExtent(m, data, end, seq,
        Crc32cBlocks.extend(m.crcsUnsafe(), offset, end, data, expectedCrc32c));
  }

  /** The durable part of {@link #finishExtend}, given the block checksums up to {@code end}. */
  private ChunkMeta commitExtent(ChunkMeta m, FileChannel data, long end, long seq, int[] crcs)
      throws IOException {
    ChunkMeta next = new ChunkMeta(Math.max(m.version(), meta.version()), end,
        Math.max(seq, m.committedSequence()), false, crcs);
    long unsynced = end - syncedLength;
    if (unsynced <= metaFile.tailRoom(crcs.length)) {
      long from = syncedLength;
      metaFile.write(next, (int) unsynced, tail -> FileChannels.readFully(data, tail, from));
    } else {
      data.force(false);
      metaFile.write(next);
      syncedLength = end;
    }
    meta = next;
    return next;
  }

  /** Makes the whole committed length durable in the data file, so slots need no tail. */
  private void syncData() throws IOException {
    if (syncedLength < meta.committedLength()) {
      dataFile().force(false);
      syncedLength = meta.committedLength();
    }
  }

  /** Under the lock: the data file, opened if no commit left it open (see {@link #openData}). */
  private FileChannel dataFile() throws IOException {
    if (openData == null || !openData.isOpen()) {
      openData = FileChannel.open(dataPath, StandardOpenOption.WRITE, StandardOpenOption.READ);
    }
    return openData;
  }

  /**
   * Closes the files the last commits left open, unless a mutation holds the chunk right now
   * (then it is in use and stays open): whether they were closed. The next commit reopens them.
   */
  boolean tryCloseFiles() {
    if (!lock.tryLock()) {
      return false;
    }
    try {
      closeFilesLocked();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Closes the files the last commits left open, waiting for a mutation in progress. */
  void closeFiles() {
    lock.lock();
    try {
      closeFilesLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Whether a commit left the data or metadata file open. */
  boolean hasOpenFiles() {
    lock.lock();
    try {
      return (openData != null && openData.isOpen()) || metaFile.isOpen();
    } finally {
      lock.unlock();
    }
  }

  private void closeFilesLocked() {
    metaFile.close();
    if (openData != null) {
      try {
        openData.close();
      } catch (IOException ignored) {
        // every commit that returned was fdatasynced: closing loses nothing
      }
      openData = null;
    }
  }

  /** Nothing half-committed: cut the data file back to the committed length. */
  private static void rollback(FileChannel data, long committedLength) {
    try {
      data.truncate(committedLength);
      data.force(false);
    } catch (IOException ignored) {
      // the restart path truncates to the committed length as well
    }
  }

  ChunkMeta update(java.util.function.UnaryOperator<ChunkMeta> change) {
    lock.lock();
    try {
      ChunkMeta next = change.apply(meta);
      if (!next.equals(meta)) {
        syncData(); // the new slot has no tail: the bytes it would carry must be in the data file
        metaFile.write(next);
        meta = next;
      }
      return meta;
    } catch (IOException e) {
      closeFilesLocked();
      throw ChunkStore.translate("metadata update", e);
    } finally {
      lock.unlock();
    }
  }

  /** Seals the replica, then cuts the data file back to its committed length. */
  ChunkMeta seal() {
    lock.lock();
    try {
      ChunkMeta m = update(x -> x.sealed() ? x : x.withSealed());
      try {
        FileChannel file = dataFile();
        if (file.size() > m.committedLength()) {
          fileChanges++;
          file.truncate(m.committedLength());
          file.force(true);
        }
      } catch (IOException e) {
        throw ChunkStore.translate("trim sealed chunk", e);
      } finally {
        closeFilesLocked(); // a sealed chunk takes no more appends
      }
      return m;
    } finally {
      lock.unlock();
    }
  }

  void deleteFiles() throws IOException {
    lock.lock();
    try {
      fileChanges++;
      closeFilesLocked();
      Files.deleteIfExists(metaFile.path());
      Files.deleteIfExists(dataPath);
    } finally {
      lock.unlock();
    }
  }
}
