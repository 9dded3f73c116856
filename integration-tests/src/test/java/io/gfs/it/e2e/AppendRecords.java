package io.gfs.it.e2e;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Self-validating append records: {@code magic, client, seq, length, payload, crc32c}, where the
 * payload is a pure function of (client, seq) and the CRC32C covers everything before it. A
 * checker can tell an intact record at an offset from a torn, overlapped or misplaced one.
 */
final class AppendRecords {
  static final int MAGIC = 0x47465341; // "GFSA"
  static final int HEADER_BYTES = 16;
  static final int OVERHEAD_BYTES = HEADER_BYTES + 4;

  private AppendRecords() {
  }

  /** One record of {@code length} bytes in total (at least {@link #OVERHEAD_BYTES}). */
  static byte[] encode(int client, int seq, int length) {
    if (length < OVERHEAD_BYTES) {
      throw new IllegalArgumentException("a record needs at least " + OVERHEAD_BYTES + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate(length);
    b.putInt(MAGIC).putInt(client).putInt(seq).putInt(length);
    byte[] payload = new byte[length - OVERHEAD_BYTES];
    new Random(((long) client << 32) | seq).nextBytes(payload);
    b.put(payload);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, length - 4);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Checks that {@code file} holds the record (client, seq) at {@code offset}; returns null when
   * it does, else what is wrong.
   */
  static String check(byte[] file, long offset, int client, int seq, int length) {
    if (offset < 0 || offset + length > file.length) {
      return "record " + client + "/" + seq + " at " + offset + "+" + length
          + " is outside the file of " + file.length + " bytes";
    }
    ByteBuffer b = ByteBuffer.wrap(file, (int) offset, length).slice();
    int magic = b.getInt();
    int c = b.getInt();
    int s = b.getInt();
    int len = b.getInt();
    if (magic != MAGIC || c != client || s != seq || len != length) {
      return String.format(
          "at %d expected record %d/%d/%d, found magic=%08x client=%d seq=%d len=%d",
          offset, client, seq, length, magic, c, s, len);
    }
    CRC32C crc = new CRC32C();
    crc.update(file, (int) offset, length - 4);
    int stored = b.getInt(length - 4);
    if (stored != (int) crc.getValue()) {
      return "record " + client + "/" + seq + " at " + offset + " fails its CRC32C";
    }
    byte[] expected = encode(client, seq, length);
    if (!java.util.Arrays.equals(file, (int) offset, (int) offset + length, expected, 0, length)) {
      return "record " + client + "/" + seq + " at " + offset + " has other bytes";
    }
    return null;
  }

  /** Where the header of record (client, seq) actually is in {@code file}, or -1 (diagnostics). */
  static long find(byte[] file, int client, int seq) {
    ByteBuffer b = ByteBuffer.wrap(file);
    for (int i = 0; i + HEADER_BYTES <= file.length; i++) {
      if (b.getInt(i) == MAGIC && b.getInt(i + 4) == client && b.getInt(i + 8) == seq) {
        return i;
      }
    }
    return -1;
  }
}
