package io.gfs.master.chunks;

/** The file a chunk belongs to, told when the chunk's data changes (for its modified time). */
public interface ChunkOwner {
  void chunkDataChanged(long timestampMs);
}
