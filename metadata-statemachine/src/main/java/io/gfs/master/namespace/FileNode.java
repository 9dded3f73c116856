package io.gfs.master.namespace;

import io.gfs.master.chunks.Chunk;
import io.gfs.master.chunks.ChunkOwner;
import java.util.Arrays;
import java.util.List;

/** A file: its chunks in index order ({@code chunks[i].index() == i}). */
public final class FileNode extends Node implements ChunkOwner {
  private static final Chunk[] NO_CHUNKS = new Chunk[0];

  private Chunk[] chunks = NO_CHUNKS;

  public FileNode(long createdMs, long modifiedMs) {
    super(createdMs, modifiedMs);
  }

  public int chunkCount() {
    return chunks.length;
  }

  public Chunk chunk(int index) {
    return chunks[index];
  }

  public List<Chunk> chunks() {
    return List.of(chunks);
  }

  /** The sum of the chunks' committed lengths. */
  public long length() {
    long total = 0;
    for (Chunk c : chunks) {
      total += c.committedLength();
    }
    return total;
  }

  /** Appends the next chunk; the caller has created it with index == chunkCount(). */
  public void appendChunk(Chunk chunk, long timestampMs) {
    if (chunk.index() != chunks.length || chunk.owner() != this) {
      throw new IllegalStateException("chunk appended out of order handle=" + chunk.handle()
          + " index=" + chunk.index() + " count=" + chunks.length);
    }
    chunks = Arrays.copyOf(chunks, chunks.length + 1);
    chunks[chunks.length - 1] = chunk;
    touch(timestampMs);
  }

  @Override
  public void chunkDataChanged(long timestampMs) {
    touch(timestampMs);
  }
}
