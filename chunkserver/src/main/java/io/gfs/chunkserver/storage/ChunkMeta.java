package io.gfs.chunkserver.storage;

import java.util.Arrays;

/**
 * The durable state of one replica of a chunk. Invariants: committedLength ≥ 0; blockCrc32c has
 * exactly ceil(committedLength / 64 KiB) entries, entry i covering bytes
 * [i*64KiB, min((i+1)*64KiB, committedLength)).
 */
public record ChunkMeta(
    long version, long committedLength, long committedSequence, boolean sealed, int[] blockCrc32c) {

  public ChunkMeta {
    if (version < 0 || committedLength < 0 || committedSequence < 0) {
      throw new IllegalArgumentException("negative chunk metadata field");
    }
    if (blockCrc32c.length != Crc32cBlocks.blockCount(committedLength)) {
      throw new IllegalArgumentException(
          "block checksum count " + blockCrc32c.length + " does not match length "
              + committedLength);
    }
    blockCrc32c = blockCrc32c.clone();
  }

  public static ChunkMeta empty(long version) {
    return new ChunkMeta(version, 0, 0, false, new int[0]);
  }

  @Override
  public int[] blockCrc32c() {
    return blockCrc32c.clone();
  }

  /** The CRCs of blocks [from, to), without copying the whole array twice. */
  public int[] blockCrc32c(int from, int to) {
    return Arrays.copyOfRange(blockCrc32c, from, to);
  }

  int[] crcsUnsafe() {
    return blockCrc32c;
  }

  public ChunkMeta withVersion(long newVersion) {
    return new ChunkMeta(newVersion, committedLength, committedSequence, sealed, blockCrc32c);
  }

  public ChunkMeta withSealed() {
    return new ChunkMeta(version, committedLength, committedSequence, true, blockCrc32c);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkMeta m
        && m.version == version
        && m.committedLength == committedLength
        && m.committedSequence == committedSequence
        && m.sealed == sealed
        && Arrays.equals(m.blockCrc32c, blockCrc32c);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(version) * 31 + Long.hashCode(committedLength);
  }

  @Override
  public String toString() {
    return "ChunkMeta[version=" + version + ", committedLength=" + committedLength
        + ", committedSequence=" + committedSequence + ", sealed=" + sealed + "]";
  }
}
