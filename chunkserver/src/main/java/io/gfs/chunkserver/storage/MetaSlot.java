package io.gfs.chunkserver.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One self-checking copy of a chunk's metadata, as stored in a slot of {@link ChunkMetaFile}:
 *
 * <pre>
 *   0  int   magic "GFM2"          24 long committed length
 *   4  int   format (3)            32 long committed sequence
 *   8  long  generation            40 int  flags (bit 0: sealed)
 *  16  long  chunk version         44 int  n = number of block CRCs
 *  48  int[n] CRC32C per 64 KiB block
 *      int   t = tail length, then byte[t] the tail (format 3 only)
 *      int   CRC32C of every byte before it
 * </pre>
 *
 * <p>The tail is the chunk's last {@code t} committed bytes, [length - t, length), which the data
 * file may not hold durably yet: small commits make their bytes durable here, in the one slot
 * write and fdatasync the commit needs anyway, instead of with a second fdatasync of the data
 * file (see {@link StoredChunk}). A restart writes the tail back into the data file. Format 2
 * (written by earlier builds) is format 3 without the tail field: an empty tail.
 *
 * <p>Only the first {@link #encodedBytes(int, int)} bytes of a slot are meaningful; whatever
 * follows (left over from a longer earlier copy, or zeros) is ignored. A torn or garbled slot
 * fails its checksum and is never taken for metadata.
 */
final class MetaSlot {
  static final int MAGIC = 0x47464d32; // "GFM2"
  static final int FORMAT = 3;
  /** The format before tails; still read. */
  static final int FORMAT_NO_TAIL = 2;
  /** The first word of the earlier pre-release format (one record, temp file + rename). */
  static final int OLD_MAGIC = 0x47465331; // "GFS1"
  static final int HEADER_BYTES = 48;
  private static final int SEALED = 1;
  private static final byte[] NO_TAIL = new byte[0];

  /** A slot that passed every check: its generation, the metadata and the tail bytes. */
  record Decoded(long generation, ChunkMeta meta, byte[] tail) {}

  private MetaSlot() {}

  /** Bytes a format-3 slot with {@code blockCount} CRCs and a tail of {@code tailBytes} takes. */
  static int encodedBytes(int blockCount, int tailBytes) {
    return HEADER_BYTES + 4 * blockCount + 4 + tailBytes + 4;
  }

  static byte[] encode(long generation, ChunkMeta meta) {
    return encode(generation, meta, ByteBuffer.wrap(NO_TAIL));
  }

  /** {@code tail} (position to limit) must be the last bytes of the committed length. */
  static byte[] encode(long generation, ChunkMeta meta, ByteBuffer tail) {
    ByteBuffer buf = ByteBuffer.allocate(encodedBytes(meta.crcsUnsafe().length, tail.remaining()));
    try {
      encode(buf, generation, meta, tail.remaining(), dst -> dst.put(tail.duplicate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: the tail is in memory
    }
    return buf.array();
  }

  /** Puts a slot's tail in place: exactly the bytes of {@code dst}, position to limit. */
  @FunctionalInterface
  interface TailSource {
    void fill(ByteBuffer dst) throws IOException;
  }

  /**
   * Encodes the slot into {@code dst} from its position, which ends after the slot's checksum;
   * {@code tail} fills the tail's {@code tailLength} bytes in place (a commit reads them straight
   * from the data file into the buffer it then writes: no copy on the heap).
   */
  static void encode(ByteBuffer dst, long generation, ChunkMeta meta, int tailLength,
      TailSource tail) throws IOException {
    int[] crcs = meta.crcsUnsafe();
    if (tailLength < 0 || tailLength > meta.committedLength()) {
      throw new IllegalArgumentException("tail of " + tailLength + " bytes is longer than the"
          + " chunk (" + meta.committedLength() + ")");
    }
    if (dst.remaining() < encodedBytes(crcs.length, tailLength)) {
      throw new IllegalArgumentException("slot buffer too small");
    }
    int start = dst.position();
    dst.putInt(MAGIC).putInt(FORMAT).putLong(generation).putLong(meta.version())
        .putLong(meta.committedLength()).putLong(meta.committedSequence())
        .putInt(meta.sealed() ? SEALED : 0).putInt(crcs.length);
    for (int crc : crcs) {
      dst.putInt(crc);
    }
    dst.putInt(tailLength);
    ByteBuffer place = dst.slice(dst.position(), tailLength);
    tail.fill(place);
    if (place.hasRemaining()) {
      throw new IllegalStateException("tail filled with " + place.position() + " of "
          + tailLength + " bytes");
    }
    dst.position(dst.position() + tailLength);
    CRC32C c = new CRC32C();
    c.update(dst.duplicate().limit(dst.position()).position(start));
    dst.putInt((int) c.getValue());
  }

  /**
   * Decodes the slot in {@code slot} (position to limit), or explains why it is not valid metadata.
   * Never throws on bad bytes: a bad slot is an expected outcome of a crash mid-write.
   */
  static Result decode(ByteBuffer slot) {
    ByteBuffer b = slot.slice();
    if (b.remaining() < HEADER_BYTES + 4) {
      return Result.invalid("slot shorter than a header");
    }
    int magic = b.getInt(0);
    if (magic != MAGIC) {
      return Result.invalid(String.format("bad magic 0x%08x", magic));
    }
    // Not yet checksummed: used only to find the checksum, then confirmed by it.
    int format = b.getInt(4);
    if (format != FORMAT && format != FORMAT_NO_TAIL) {
      return Result.invalid("unknown format " + format);
    }
    int n = b.getInt(44);
    int room = format == FORMAT ? b.remaining() - encodedBytes(0, 0) : b.remaining()
        - HEADER_BYTES - 4;
    if (n < 0 || n > room / 4) {
      return Result.invalid("block count " + n + " does not fit the slot");
    }
    int end = HEADER_BYTES + 4 * n;
    int t = 0;
    if (format == FORMAT) {
      t = b.getInt(end);
      if (t < 0 || t > room - 4 * n) {
        return Result.invalid("tail of " + t + " bytes does not fit the slot");
      }
      end += 4 + t;
    }
    byte[] bytes = new byte[end];
    b.get(0, bytes);
    if (checksum(bytes, end) != b.getInt(end)) {
      return Result.invalid("checksum mismatch (torn or corrupt)");
    }
    // checksummed from here on: a bad value is a bug that wrote it, not a torn write
    long length = b.getLong(24);
    if (length < 0 || n != Crc32cBlocks.blockCount(length)) {
      return Result.invalid("block count " + n + " does not match length " + length);
    }
    if (t > length) {
      return Result.invalid("tail of " + t + " bytes is longer than the length " + length);
    }
    int[] crcs = new int[n];
    for (int i = 0; i < n; i++) {
      crcs[i] = b.getInt(HEADER_BYTES + 4 * i);
    }
    byte[] tail = t == 0 ? NO_TAIL : Arrays.copyOfRange(bytes, end - t, end);
    try {
      return new Result(new Decoded(b.getLong(8), new ChunkMeta(b.getLong(16), length,
          b.getLong(32), (b.getInt(40) & SEALED) != 0, crcs), tail), null);
    } catch (IllegalArgumentException e) {
      return Result.invalid(e.getMessage());
    }
  }

  private static int checksum(byte[] bytes, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, 0, length);
    return (int) c.getValue();
  }

  /** Exactly one of {@code decoded} and {@code problem} is set. */
  record Result(Decoded decoded, String problem) {
    static Result invalid(String problem) {
      return new Result(null, problem);
    }

    boolean valid() {
      return decoded != null;
    }
  }
}
