package io.gfs.chunkserver.storage;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * The staged bytes of one in-flight mutation, in the staging directory (never beside chunks,
 * LESSONS #14). Owned by one writer at a time; {@link #complete()} succeeds only when exactly the
 * declared length with the declared CRC32C has been written (LESSONS #8).
 *
 * <p>A stage is never fsynced. It only matters until its commit, which copies it into the chunk
 * file and fsyncs that before the commit is acknowledged; a replica that crashes between READY and
 * COMMIT loses its stage whether it was fsynced or not (a restart discards staging), so it misses
 * the commit and is reported stale either way. Durability of an acknowledged write therefore rests
 * on the commit's fsync alone, and an fsync here would only add latency and make every byte hit
 * the disk twice.
 *
 * <p>By the same argument a small stage may live in memory instead ({@link #inMemory}): it is
 * lost on a crash exactly like an unsynced file, and it spares each small mutation, on every
 * replica, a file create and unlink (directory and inode updates that the commit's fsync would
 * then carry through the file-system journal) and a file-to-file copy. ChunkStore bounds the
 * memory all such stages may hold.
 *
 * <p>A WRITE's stage may also live in place ({@link #inPlace}): in the chunk's own data file,
 * right after the committed length where the WRITE asks to go. Bytes beyond the committed length
 * are never read and are cut off by a restart or a seal, so this is as safe as a staging file,
 * and its commit only has to fsync and check the bytes (see StoredChunk) instead of copying them.
 */
public final class StageFile implements AutoCloseable {
  private final Path path; // null in memory
  private final String handle;
  private final long version;
  private final long stageId;
  private final long length;
  private final int crc32c;
  private final FileChannel channel; // null in memory
  private final byte[] memory; // null on file
  private final Runnable release; // returns the memory to the store's budget; run once
  private final StoredChunk inPlaceChunk; // null unless staged in place
  private final long inPlaceOffset; // where in that chunk's file the bytes go
  private final CRC32C running = new CRC32C();
  private long written; // guarded by the single writer
  private boolean complete;
  private boolean closed;
  /** Completes once the stage is complete or closed (see {@link #settled}). */
  private final CompletableFuture<Void> settled = new CompletableFuture<>();

  StageFile(Path path, String handle, long version, long stageId, long length, int crc32c)
      throws IOException {
    this.path = path;
    this.handle = handle;
    this.version = version;
    this.stageId = stageId;
    this.length = length;
    this.crc32c = crc32c;
    this.memory = null;
    this.release = () -> { };
    this.inPlaceChunk = null;
    this.inPlaceOffset = -1;
    this.channel =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.READ,
            StandardOpenOption.TRUNCATE_EXISTING);
  }

  private StageFile(String handle, long version, long stageId, int length, int crc32c,
      Runnable release) {
    this.path = null;
    this.channel = null;
    this.handle = handle;
    this.version = version;
    this.stageId = stageId;
    this.length = length;
    this.crc32c = crc32c;
    this.memory = new byte[length];
    this.release = release;
    this.inPlaceChunk = null;
    this.inPlaceOffset = -1;
  }

  private StageFile(StoredChunk chunk, long offset, long version, long stageId, long length,
      int crc32c) {
    this.path = null;
    this.channel = null;
    this.memory = null;
    this.handle = chunk.handle();
    this.version = version;
    this.stageId = stageId;
    this.length = length;
    this.crc32c = crc32c;
    this.release = () -> chunk.releaseInPlace(this);
    this.inPlaceChunk = chunk;
    this.inPlaceOffset = offset;
  }

  /** A stage in {@code chunk}'s data file at {@code offset}; closing gives the place back. */
  static StageFile inPlace(StoredChunk chunk, long offset, long version, long stageId,
      long length, int crc32c) {
    return new StageFile(chunk, offset, version, stageId, length, crc32c);
  }

  /** A stage held in memory; {@code release} runs once, when it is closed. */
  static StageFile inMemory(String handle, long version, long stageId, int length, int crc32c,
      Runnable release) {
    return new StageFile(handle, version, stageId, length, crc32c, release);
  }

  /** Whether the bytes are held in memory rather than in a staging file. */
  public boolean isInMemory() {
    return memory != null;
  }

  /** Whether the bytes are staged in the chunk's own data file. */
  public boolean isInPlace() {
    return inPlaceChunk != null;
  }

  /** Whether the bytes are staged in place and written with direct I/O. */
  public boolean isDirect() {
    return inPlaceChunk != null && inPlaceChunk.writesDirectly(this);
  }

  /** The chunk whose data file holds this stage, or null. */
  StoredChunk inPlaceChunk() {
    return inPlaceChunk;
  }

  /** Where in the chunk's data file an in-place stage begins. */
  long inPlaceOffset() {
    return inPlaceOffset;
  }

  public String handle() {
    return handle;
  }

  public long version() {
    return version;
  }

  public long stageId() {
    return stageId;
  }

  public long length() {
    return length;
  }

  /** The declared CRC32C of all the staged bytes. */
  public int crc32c() {
    return crc32c;
  }

  public long written() {
    return written;
  }

  public boolean isComplete() {
    return complete;
  }

  /** Appends the next piece; more than the declared length is a protocol error. */
  public void write(ByteBuffer piece) {
    if (complete) {
      throw new IllegalStateException("stage already complete");
    }
    int n = piece.remaining();
    if (written + n > length) {
      throw new ChunkException(
          Code.INVALID_ARGUMENT, "mutation data exceeds its declared length " + length);
    }
    running.update(piece.duplicate());
    if (memory != null) {
      piece.get(memory, (int) written, n);
      written += n;
      return;
    }
    if (inPlaceChunk != null) {
      inPlaceChunk.writeInPlace(this, inPlaceOffset + written, piece);
      written += n;
      return;
    }
    try {
      FileChannels.writeFully(channel, piece, written);
    } catch (IOException e) {
      throw ChunkStore.translate("stage write", e);
    }
    written += n;
  }

  /**
   * Checks length and checksum: after this returns the replica may say READY. No fsync (see the
   * class comment): READY promises the bytes are all here and intact, the commit makes them
   * durable.
   */
  public void complete() {
    if (complete) {
      return;
    }
    if (written != length) {
      throw new ChunkException(
          Code.INVALID_ARGUMENT, "mutation has " + written + " of " + length + " bytes");
    }
    if ((int) running.getValue() != crc32c) {
      throw new ChunkException(Code.CHECKSUM_MISMATCH, "mutation data CRC32C mismatch");
    }
    complete = true;
    settled.complete(null);
  }

  /**
   * Completes (never exceptionally) once the stage is complete or closed, whichever comes first:
   * a commit that arrived before its stage's last byte waits on this, then looks again.
   */
  public CompletableFuture<Void> settled() {
    return settled;
  }

  /** The staging file; only for a stage on file. */
  FileChannel channel() {
    if (channel == null) {
      throw new IllegalStateException("stage is held in memory or in place");
    }
    return channel;
  }

  /** The staged bytes, read-only, when held in memory; null for a stage on file. */
  ByteBuffer memoryBytes() {
    return memory == null ? null : ByteBuffer.wrap(memory, 0, (int) written).asReadOnlyBuffer();
  }

  /** Closes and deletes the stage file (or frees the memory, or the chunk's place). Idempotent. */
  @Override
  public void close() {
    try {
      release();
    } finally {
      settled.complete(null);
    }
  }

  private void release() {
    if (memory != null || inPlaceChunk != null) {
      synchronized (this) { // close may race with the writer's abort from another thread
        if (closed) {
          return;
        }
        closed = true;
      }
      release.run();
      return;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // deleting below is what matters
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // staging is dropped wholesale at the next start
    }
  }
}
