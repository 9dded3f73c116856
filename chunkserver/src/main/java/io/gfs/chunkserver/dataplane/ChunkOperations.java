package io.gfs.chunkserver.dataplane;

import io.gfs.proto.MutationHeader;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the data-plane server asks of the chunkserver's storage and write engine. The data plane
 * (framing, connections, deadlines) and the engine (storage, 2PC, leases) meet only here.
 *
 * <p>Writes only ever extend a chunk: a WRITE names the offset it expects to start at (the chunk's
 * current committed length, so a sequential writer never leaves holes and never overwrites), an
 * APPEND lets the primary choose. Bytes below the committed length never change, which is what
 * makes zero-copy reads of committed data safe while writes continue.
 */
public interface ChunkOperations {

  /** Checksum block size: one CRC32C per 64 KiB of chunk data. */
  int CHECKSUM_BLOCK_BYTES = 64 * 1024;

  /**
   * Prepares a read of {@code [offset, offset + length)} clipped to the committed length. The
   * returned region is widened to whole checksum blocks so the client can verify every byte it
   * receives; the client trims it to what it asked for.
   *
   * @throws ChunkException NOT_FOUND, STALE_VERSION (the caller's version is older or newer than
   *     this replica's), INVALID_ARGUMENT (negative offset/length)
   */
  ReadRegion read(String handle, long version, long offset, long length);

  /** The committed length of this replica of the chunk. */
  long committedLength(String handle, long version);

  /**
   * Begins a write (offset ≥ 0, must equal the committed length) or a record append
   * (offset = -1: the primary chooses) of exactly {@code length} bytes whose CRC32C is
   * {@code crc32c}. Only the chunk's primary accepts this.
   *
   * @throws ChunkException NOT_PRIMARY, STALE_VERSION, CHUNK_FULL (an append that does not fit:
   *     the chunk has been sealed, retry on the next chunk), RECORD_TOO_LARGE, NO_SPACE,
   *     INVALID_ARGUMENT
   */
  WriteSession beginWrite(String handle, long version, long offset, long length, int crc32c);

  /**
   * {@link #beginWrite}, but only when it needs neither disk I/O nor waiting (the usual small
   * write under a lease already held), so that the data plane may call it on its event loop and
   * spare a thread hand-off each way; null otherwise, and the caller then calls beginWrite off
   * the event loop. Throws as beginWrite does.
   */
  default WriteSession tryBeginWriteQuickly(String handle, long version, long offset,
      long length, int crc32c) {
    return null;
  }

  /**
   * Stages a primary's mutation on this secondary replica (a STAGE): the session takes the
   * mutation's bytes and its outcome means READY (all declared bytes here, CRC32C matching); the
   * commit comes later ({@link #commitStaged}, or the replication plane's gRPC Commit).
   *
   * @throws ChunkException STALE_VERSION (the primary is older than this replica), CHUNK_FULL,
   *     INVALID_ARGUMENT, NO_SPACE
   */
  default WriteSession beginStage(MutationHeader header) {
    throw new ChunkException(ChunkException.Code.INVALID_ARGUMENT,
        "this server takes no replica stages");
  }

  /**
   * {@link #beginStage}, but only when it needs neither disk I/O nor waiting (a small stage of a
   * chunk this replica holds at that version), so the data plane may call it on its event loop;
   * null otherwise. Throws as beginStage does.
   */
  default WriteSession tryBeginStageQuickly(MutationHeader header) {
    return null;
  }

  /**
   * Commits a mutation a primary staged here (a COMMIT), once its predecessor is committed;
   * completes with this replica's committed length and sequence after it. Idempotent: a commit
   * already applied completes at once. May block on disk: call it off the event loop.
   *
   * @throws ChunkException (or completes exceptionally with) NOT_FOUND when nothing was staged,
   *     STALE_VERSION, INVALID_ARGUMENT, TIMEOUT, OVERLOADED
   */
  default CompletableFuture<Committed> commitStaged(MutationHeader mutation) {
    throw new ChunkException(ChunkException.Code.INVALID_ARGUMENT,
        "this server takes no replica commits");
  }

  /**
   * Whether {@link #commitStaged} waits for a stage that is still arriving (rather than answering
   * NOT_FOUND), so a primary may send a COMMIT right behind its STAGE's data, before the READY.
   * Told to primaries in the answer to their STAGE probe.
   */
  default boolean commitsBeforeReady() {
    return false;
  }

  /** A replica's committed length and sequence after a commit. */
  record Committed(long length, long sequence) {
  }

  /**
   * Bytes of one read: {@code count} bytes of {@code channel} from {@code position} (sent
   * zero-copy from the page cache), or, when {@code bytes} is not null, those bytes already read
   * (directly, past the page cache; {@code channel} is then null).
   */
  record ReadRegion(
      FileChannel channel,
      long position,
      long count,
      long chunkOffset,
      int[] blockCrc32c,
      long committedLength,
      ByteBuffer bytes,
      Runnable release) {
    // chunkOffset: chunk offset of the first byte (a multiple of CHECKSUM_BLOCK_BYTES).
    // blockCrc32c[i]: CRC32C of bytes [chunkOffset + i*64KiB, min(+64KiB, committedLength)).
    // release: called once the bytes are sent (or the send failed), to unpin the channel or
    // give the buffer back.

    /** A region sent from the file. */
    public ReadRegion(FileChannel channel, long position, long count, long chunkOffset,
        int[] blockCrc32c, long committedLength, Runnable release) {
      this(channel, position, count, chunkOffset, blockCrc32c, committedLength, null, release);
    }
  }

  /** One write in progress on the primary. Pieces arrive in order; their total is the length. */
  interface WriteSession {
    /**
     * Hands over the next piece (the session takes ownership of the buffer and releases it).
     * The returned stage completes when the session can take more: the data plane stops reading
     * from the client's connection until then, which bounds memory.
     */
    CompletionStage<Void> onData(ByteBuf piece);

    /**
     * Called once the last piece was handed over, possibly before that piece's stage completed
     * (a piece that fails then fails this outcome too). Completes with the chunk offset of the write once it is
     * committed and fsynced on a quorum, or exceptionally with a {@link ChunkException}.
     */
    CompletionStage<WriteOutcome> finish();

    /** The client went away or broke the protocol: discard staged data. Idempotent. */
    void abort(String reason);
  }

  /** A committed write: where it landed and the chunk's committed length after it. */
  record WriteOutcome(long offset, long committedLength) {
  }
}
