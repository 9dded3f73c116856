package io.gfs.it.rerep;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Self-validating records: "REC" + index + a body derived from the index, so a reader can tell
 * a whole record from a torn or foreign one anywhere in a file.
 */
final class Records {
  private static final byte[] MAGIC = "REC!".getBytes(StandardCharsets.US_ASCII);

  private Records() {
  }

  static byte[] record(int index, int size) {
    byte[] r = new byte[size];
    ByteBuffer b = ByteBuffer.wrap(r);
    b.put(MAGIC).putInt(index).putInt(size);
    for (int i = b.position(); i < size; i++) {
      r[i] = (byte) (index * 31 + i * 7 + 1);
    }
    return r;
  }

  /**
   * Parses {@code file}: whole records, or zero padding up to the next chunk boundary (a sealed
   * chunk). Throws on anything else, e.g. half a record.
   */
  static int countWholeRecords(byte[] file, int chunkBytes) {
    int pos = 0;
    int records = 0;
    while (pos < file.length) {
      if (file[pos] == 0) {
        int next = (pos / chunkBytes + 1) * chunkBytes;
        for (int i = pos; i < Math.min(next, file.length); i++) {
          if (file[i] != 0) {
            throw new AssertionError("non-zero byte inside padding at " + i);
          }
        }
        pos = next;
        continue;
      }
      ByteBuffer b = ByteBuffer.wrap(file, pos, file.length - pos);
      byte[] magic = new byte[4];
      if (b.remaining() < 12) {
        throw new AssertionError("torn record header at " + pos);
      }
      b.get(magic);
      int index = b.getInt();
      int size = b.getInt();
      if (!Arrays.equals(magic, MAGIC) || size < 12 || pos + size > file.length
          || !Arrays.equals(Arrays.copyOfRange(file, pos, pos + size), record(index, size))) {
        throw new AssertionError("not a whole record at " + pos);
      }
      pos += size;
      records++;
    }
    return records;
  }
}
