package io.gfs.it.fault;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * A self-validating record: magic, total length, client id, sequence, CRC32C of the payload, then
 * the payload. A reader can find every record in a file that also holds padding or garbage by
 * scanning for the magic and checking the length and the CRC.
 */
record AppendRecord(int client, long sequence, byte[] payload) {
  static final int MAGIC = 0x52454331; // "REC1"
  static final int HEADER_BYTES = 4 + 4 + 4 + 8 + 4;
  static final int MAX_BYTES = 1 << 20;

  /** A record whose payload is {@code payloadBytes} bytes drawn from {@code random}. */
  static AppendRecord random(int client, long sequence, int payloadBytes, Random random) {
    byte[] p = new byte[payloadBytes];
    random.nextBytes(p);
    return new AppendRecord(client, sequence, p);
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    b.putInt(MAGIC).putInt(HEADER_BYTES + payload.length).putInt(client).putLong(sequence)
        .putInt(crc(payload)).put(payload);
    return b.array();
  }

  int encodedLength() {
    return HEADER_BYTES + payload.length;
  }

  static int crc(byte[] payload) {
    CRC32C c = new CRC32C();
    c.update(payload);
    return (int) c.getValue();
  }

  /** A record found in a file, with its offset. */
  record Found(long offset, int client, long sequence, int length) {}

  /** The valid record starting exactly at {@code offset}, or null. */
  static Found parseAt(byte[] file, long offset) {
    if (offset < 0 || offset + HEADER_BYTES > file.length) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(file);
    int at = (int) offset;
    if (b.getInt(at) != MAGIC) {
      return null;
    }
    int length = b.getInt(at + 4);
    if (length < HEADER_BYTES || length > MAX_BYTES || at + (long) length > file.length) {
      return null;
    }
    int client = b.getInt(at + 8);
    long seq = b.getLong(at + 12);
    int crc = b.getInt(at + 20);
    CRC32C c = new CRC32C();
    c.update(file, at + HEADER_BYTES, length - HEADER_BYTES);
    return (int) c.getValue() == crc ? new Found(offset, client, seq, length) : null;
  }

  /** Every valid record in the file; bytes between records (padding, garbage) are skipped. */
  static List<Found> scan(byte[] file) {
    List<Found> out = new ArrayList<>();
    long at = 0;
    while (at + HEADER_BYTES <= file.length) {
      Found f = parseAt(file, at);
      if (f != null) {
        out.add(f);
        at += f.length();
      } else {
        at++;
      }
    }
    return out;
  }
}
