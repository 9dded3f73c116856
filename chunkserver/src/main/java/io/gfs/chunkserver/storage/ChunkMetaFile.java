package io.gfs.chunkserver.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Encodes a {@link ChunkMeta} with a magic, a format number and a trailing CRC32C, and writes it
 * atomically: temp file, fsync, rename, fsync of the directory. A torn write is therefore never
 * visible as metadata.
 */
final class ChunkMetaFile {
  private static final int MAGIC = 0x47465331; // "GFS1"
  private static final int FORMAT = 1;

  private ChunkMetaFile() {}

  static byte[] encode(ChunkMeta meta) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + meta.crcsUnsafe().length * 4);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeLong(meta.version());
      out.writeLong(meta.committedLength());
      out.writeLong(meta.committedSequence());
      out.writeBoolean(meta.sealed());
      int[] crcs = meta.crcsUnsafe();
      out.writeInt(crcs.length);
      for (int crc : crcs) {
        out.writeInt(crc);
      }
      CRC32C c = new CRC32C();
      c.update(bytes.toByteArray());
      out.writeInt((int) c.getValue());
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory encoding failed", e);
    }
  }

  static ChunkMeta decode(byte[] data) throws IOException {
    if (data.length < 4 + 4 + 8 * 3 + 1 + 4 + 4) {
      throw new IOException("chunk metadata too short: " + data.length + " bytes");
    }
    CRC32C c = new CRC32C();
    c.update(data, 0, data.length - 4);
    int stored = ByteBuffer.wrap(data, data.length - 4, 4).getInt();
    if ((int) c.getValue() != stored) {
      throw new IOException("chunk metadata checksum mismatch");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data));
    if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
      throw new IOException("not a chunk metadata file (magic/format)");
    }
    long version = in.readLong();
    long length = in.readLong();
    long sequence = in.readLong();
    boolean sealed = in.readBoolean();
    int n = in.readInt();
    if (n != Crc32cBlocks.blockCount(length)) {
      throw new IOException("chunk metadata block count " + n + " does not match length");
    }
    int[] crcs = new int[n];
    for (int i = 0; i < n; i++) {
      crcs[i] = in.readInt();
    }
    return new ChunkMeta(version, length, sequence, sealed, crcs);
  }

  static ChunkMeta read(Path file) throws IOException {
    return decode(Files.readAllBytes(file));
  }

  static void writeAtomically(Path file, ChunkMeta meta) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    byte[] bytes = encode(meta);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("file system cannot rename atomically: " + file.getParent(), e);
    }
    fsyncDirectory(file.getParent());
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
