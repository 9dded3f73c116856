package io.gfs.chunkserver.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes the bytes of one in-place stage, or of one piece copied from a peer, into its chunk's
 * data file with direct I/O (O_DIRECT), past the page cache. A buffered write copies every byte
 * into cache pages the kernel must first find (reclaiming others once memory is full of written
 * data, and on a VM that hands idle memory back to its host, faulting it in again) and later
 * write back; on the benchmark VM, with three replicas on one host, that was most of a write's
 * CPU (W1's servers: 13–16 CPU s per GiB written with buffered writes, 5–6 with direct ones).
 * The cost: the first read of freshly written data comes from the disk.
 *
 * <p>Bytes are gathered into an aligned buffer and written whole buffers at a time; at the end the
 * whole blocks go directly and a last part shorter than a block through the page cache. The block
 * checksums are computed here, on the gathered bytes: the very bytes handed to the kernel (the
 * stage has checked the same bytes against the mutation's CRC32C as they arrived). The commit
 * therefore does not read them back (which would now read the disk); StoredChunk refuses a
 * stage's commit instead if anything else changed the data file since the stage began (a copied
 * piece is written and committed under one hold of the chunk's lock). Single writer, under the
 * chunk's lock.
 */
final class DirectWriter implements AutoCloseable {
  /** The smallest stage worth it: below this a stage goes through the page cache. */
  static final long MIN_BYTES = 1 << 20;
  /**
   * Writers open at once in this process, each holding a 1 MiB buffer of direct memory; more
   * stages than this at a time go through the page cache.
   */
  static final int OPEN_MAX = 64;
  private static final AlignedBuffers BUFFERS = new AlignedBuffers(1 << 20, OPEN_MAX, 8);
  private static final int BLOCK = Crc32cBlocks.BLOCK;

  private final FileChannel direct;
  private final FileChannel buffered;
  private final int alignment;
  private ByteBuffer buffer; // null once closed
  private long bufferPosition; // the file position of the buffer's first byte
  private final long start;
  private final int firstBlock;
  private final int[] blockCrcs; // blocks firstBlock.. of the chunk, as far as the stage reaches
  private final CRC32C block = new CRC32C();
  private long next; // the file position of the next byte written
  private boolean finished;

  private DirectWriter(FileChannel direct, FileChannel buffered, int alignment, long start,
      long length, byte[] blockPrefix, ByteBuffer buffer) {
    this.direct = direct;
    this.buffered = buffered;
    this.alignment = alignment;
    this.start = start;
    this.next = start;
    this.bufferPosition = start;
    this.firstBlock = Math.toIntExact(start / BLOCK);
    this.blockCrcs = new int[Crc32cBlocks.blockCount(start + length) - firstBlock];
    this.block.update(blockPrefix);
    this.buffer = buffer;
  }

  /**
   * The alignment direct I/O needs in {@code dir} (the file system's block size), or 0 when it
   * cannot be used there: a probe file is written, synced and deleted.
   */
  static int probe(Path dir) {
    Path probe = dir.resolve("direct-io-probe.tmp");
    try {
      long blockSize = Files.getFileStore(dir).getBlockSize();
      if (blockSize < 512 || blockSize > BLOCK || Long.bitCount(blockSize) != 1) {
        return 0;
      }
      int alignment = (int) blockSize;
      try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
          ExtendedOpenOption.DIRECT)) {
        ByteBuffer b = ByteBuffer.allocateDirect(2 * alignment).alignedSlice(alignment);
        b.limit(alignment);
        FileChannels.writeFully(ch, b, 0);
        ch.force(false);
      }
      return alignment;
    } catch (IOException | UnsupportedOperationException e) {
      return 0;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException ignored) {
        // a leftover .tmp file is dropped when the store next opens
      }
    }
  }

  /**
   * A writer for {@code length} bytes at {@code start} of {@code file}, or null when direct I/O
   * does not apply: {@code alignment} 0 (unsupported), a start off the alignment, a short stage,
   * or {@link #OPEN_MAX} writers already open.
   * {@code buffered} is the stage's ordinary channel on the same file: it reads the committed bytes
   * that share the first checksum block and writes the last part shorter than a block.
   */
  static DirectWriter open(Path file, int alignment, long start, long length,
      FileChannel buffered) throws IOException {
    if (alignment <= 0 || start % alignment != 0 || length < MIN_BYTES) {
      return null;
    }
    ByteBuffer buffer = BUFFERS.take();
    if (buffer == null) {
      return null;
    }
    FileChannel direct = null;
    try {
      byte[] prefix = new byte[(int) (start % BLOCK)];
      FileChannels.readFully(buffered, ByteBuffer.wrap(prefix), start - prefix.length);
      direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
      return new DirectWriter(direct, buffered, alignment, start, length, prefix, buffer);
    } catch (IOException | RuntimeException | Error e) {
      BUFFERS.giveBack(buffer);
      if (direct != null) {
        direct.close();
      }
      throw e;
    }
  }

  /** How many more writers may open now. */
  static int openAvailable() {
    return BUFFERS.available();
  }

  /** The file position the next piece must be written at. */
  long nextPosition() {
    return next;
  }

  /** Gathers {@code piece} (all of it) and writes each buffer that fills. */
  void write(ByteBuffer piece) throws IOException {
    if (finished) {
      throw new IllegalStateException("direct stage already finished");
    }
    while (piece.hasRemaining()) {
      int n = (int) Math.min(Math.min(piece.remaining(), buffer.remaining()),
          BLOCK - next % BLOCK);
      ByteBuffer part = piece.duplicate();
      part.limit(part.position() + n);
      block.update(part.duplicate());
      buffer.put(part);
      piece.position(piece.position() + n);
      next += n;
      if (next % BLOCK == 0) {
        endBlock();
      }
      if (!buffer.hasRemaining()) {
        flushWhole();
      }
    }
  }

  /** Writes everything gathered: whole blocks directly, a last shorter part through the cache. */
  void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    if (next % BLOCK != 0) {
      endBlock(); // the last checksum block is partial; a later commit extends it from the file
    }
    flushWhole();
    if (buffer.position() > 0) {
      buffer.flip();
      FileChannels.writeFully(buffered, buffer, bufferPosition);
      bufferPosition += buffer.limit();
      buffer.clear();
    }
  }

  private void endBlock() {
    int index = Math.toIntExact((next - 1) / BLOCK) - firstBlock;
    blockCrcs[index] = (int) block.getValue();
    block.reset();
  }

  private void flushWhole() throws IOException {
    int whole = buffer.position() / alignment * alignment;
    if (whole == 0) {
      return;
    }
    ByteBuffer out = buffer.duplicate().flip().limit(whole);
    FileChannels.writeFully(direct, out, bufferPosition);
    bufferPosition += whole;
    buffer.flip().position(whole);
    buffer.compact();
  }

  /** Bytes written so far, from the stage's start. */
  long written() {
    return next - start;
  }

  /**
   * The chunk's block checksums once these bytes follow the committed ones: {@code committed}'s
   * blocks before the stage's first block, then the ones computed here. Call after finish.
   */
  int[] blockCrcsAfter(int[] committed) {
    int[] out = new int[firstBlock + blockCrcs.length];
    System.arraycopy(committed, 0, out, 0, Math.min(firstBlock, committed.length));
    System.arraycopy(blockCrcs, 0, out, firstBlock, blockCrcs.length);
    return out;
  }

  /** Closes the direct channel (not the buffered one) and gives the buffer back. Idempotent. */
  @Override
  public void close() throws IOException {
    ByteBuffer b = buffer;
    if (b == null) {
      return;
    }
    buffer = null;
    BUFFERS.giveBack(b);
    direct.close();
  }
}
