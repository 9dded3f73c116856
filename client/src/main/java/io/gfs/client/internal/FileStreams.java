package io.gfs.client.internal;

import io.gfs.client.GfsException;
import io.gfs.proto.ChunkInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file writes (to a hidden temporary file, then an atomic rename over the target) and the
 * streaming views: an OutputStream that writes chunk by chunk, and an InputStream / seekable
 * channel that read in bounded pieces.
 */
public final class FileStreams {
  private static final int NAME_BYTES_KEPT_MAX = 180;
  private static final int CHUNKS_IN_FLIGHT_MAX = 2;

  private final MasterOps master;
  private final ChunkReads reads;
  private final ChunkWrites writes;
  private final LocationCache cache;
  private final Executor executor;

  public FileStreams(MasterOps master, ChunkReads reads, ChunkWrites writes, LocationCache cache,
      Executor executor) {
    this.master = master;
    this.reads = reads;
    this.writes = writes;
    this.cache = cache;
    this.executor = executor;
  }

  /**
   * The temporary sibling a whole-file write goes to: hidden (a dot name) and unique, in the same
   * directory so that the final rename is atomic and needs no new parents.
   */
  static String temporaryPath(String path) {
    String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    int slash = p.lastIndexOf('/');
    if (slash < 0 || slash == p.length() - 1) {
      return path; // not a valid file path: let the master explain why
    }
    String name = p.substring(slash + 1);
    if (name.length() > NAME_BYTES_KEPT_MAX) {
      name = name.substring(0, NAME_BYTES_KEPT_MAX);
    }
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong()).toLowerCase(Locale.ROOT);
    return p.substring(0, slash + 1) + "." + name + ".gfs-tmp-" + suffix;
  }

  public void writeFile(String ns, String path, ByteBuffer data) {
    String tmp = temporaryPath(path);
    if (tmp.equals(path)) {
      master.createFile(ns, path); // fails with the master's explanation
      return;
    }
    master.createFile(ns, tmp);
    try {
      writes.writeChunks(ns, tmp, data);
      publish(ns, tmp, path);
    } catch (RuntimeException e) {
      discard(ns, tmp);
      throw e;
    }
  }

  private void publish(String ns, String tmp, String path) {
    master.rename(ns, tmp, path, true);
    cache.invalidate(ns, path);
    writes.forget(ns, path);
  }

  private void discard(String ns, String tmp) {
    try {
      master.delete(ns, tmp, false);
    } catch (GfsException ignored) {
      // best effort: a leftover temporary file is visible and can be removed by hand
    }
  }

  public OutputStream outputStream(String ns, String path) {
    String tmp = temporaryPath(path);
    master.createFile(ns, tmp);
    return new ChunkOutputStream(ns, path, tmp, writes.chunkSize(ns, tmp));
  }

  public InputStream inputStream(String ns, String path) {
    reads.layout(ns, path); // fails now if the file does not exist
    return new PieceInputStream(reads, executor, ns, path);
  }

  public SeekableByteChannel channel(String ns, String path) {
    reads.layout(ns, path);
    return new ReadChannel(ns, path);
  }

  /** Total committed length, asking a replica for the exact length of the last chunk. */
  public long length(String ns, String path) {
    return reads.awaitingLocations(ns, path, () -> {
      long total = 0;
      for (ChunkInfo c : reads.layout(ns, path).chunks()) {
        total += c.getSealed() ? c.getCommittedLength() : reads.liveLength(c);
      }
      return total;
    });
  }

  /**
   * Buffers one chunk, writes it while the next one fills; publishes on close. The buffer of a
   * chunk whose write has completed takes the next chunk, so a long file reuses a few chunk-size
   * buffers instead of allocating (and zeroing) a new one per chunk.
   */
  private final class ChunkOutputStream extends OutputStream {
    private final String ns;
    private final String path;
    private final String tmp;
    private final int chunkSize;
    private final Deque<ChunkInFlight> inFlight = new ArrayDeque<>();
    private final Deque<ByteBuffer> spare = new ArrayDeque<>(); // written chunks' buffers
    private ByteBuffer buffer;
    private int nextIndex;
    private boolean closed;

    ChunkOutputStream(String ns, String path, String tmp, long chunkSize) {
      this.ns = ns;
      this.path = path;
      this.tmp = tmp;
      this.chunkSize = (int) Math.min(chunkSize, Integer.MAX_VALUE - 8);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      while (len > 0) {
        if (buffer == null) {
          buffer = newBuffer(len);
        }
        if (!buffer.hasRemaining()) {
          if (buffer.capacity() < chunkSize) {
            ByteBuffer bigger = ByteBuffer.allocate(
                (int) Math.min(chunkSize, buffer.capacity() * 4L));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
          } else {
            flushChunk();
            continue;
          }
        }
        int n = Math.min(len, buffer.remaining());
        buffer.put(b, off, n);
        off += n;
        len -= n;
      }
    }

    /**
     * A buffer for the next chunk: a written chunk's, else a new one. The first chunk's starts at
     * 1 MiB (or the first write's size) and grows, so a small file stays small; once a whole chunk
     * was written the file is large, and the next chunks get whole chunk-size buffers at once.
     */
    private ByteBuffer newBuffer(int firstWrite) {
      ByteBuffer reused = spare.poll();
      if (reused != null) {
        return reused.clear();
      }
      return ByteBuffer.allocate(nextIndex > 0 ? chunkSize
          : Math.min(chunkSize, Math.max(firstWrite, 1 << 20)));
    }

    private void flushChunk() throws IOException {
      buffer.flip();
      try {
        inFlight.add(new ChunkInFlight(writes.startChunk(ns, tmp, nextIndex++, buffer), buffer));
        buffer = null;
        while (inFlight.size() >= CHUNKS_IN_FLIGHT_MAX) {
          awaitOldest();
        }
      } catch (GfsException e) {
        abort();
        throw new IOException(e.getMessage(), e);
      }
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("stream closed");
      }
    }

    /** Waits for the oldest chunk write; once it committed, its buffer may take another chunk. */
    private void awaitOldest() {
      ChunkInFlight oldest = inFlight.removeFirst();
      ChunkWrites.await(oldest.committed());
      if (oldest.buffer().capacity() == chunkSize) {
        spare.add(oldest.buffer());
      }
    }

    private void abort() {
      closed = true;
      inFlight.forEach(f -> f.committed().cancel(false));
      discard(ns, tmp);
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      if (buffer != null && buffer.position() > 0) {
        flushChunk();
      }
      try {
        while (!inFlight.isEmpty()) {
          awaitOldest();
        }
        spare.clear();
        publish(ns, tmp, path);
        closed = true;
      } catch (GfsException e) {
        abort();
        throw new IOException(e.getMessage(), e);
      }
    }
  }

  /** A chunk write under way and the buffer it reads, which must not change until it ends. */
  private record ChunkInFlight(CompletableFuture<Void> committed, ByteBuffer buffer) {
  }

  /** A read-only seekable channel. */
  private final class ReadChannel implements SeekableByteChannel {
    private final String ns;
    private final String path;
    private long position;
    private boolean open = true;

    ReadChannel(String ns, String path) {
      this.ns = ns;
      this.path = path;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      ensureOpen();
      int want = Math.min(dst.remaining(), ChunkReads.PIECE_BYTES_MAX);
      if (want == 0) {
        return 0;
      }
      long got;
      try {
        got = reads.read(ns, path, position, want, dst::put);
      } catch (GfsException e) {
        throw new IOException(e.getMessage(), e);
      }
      if (got == 0) {
        return -1;
      }
      position += got;
      return (int) got;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new NonWritableChannelException();
    }

    @Override
    public long position() throws IOException {
      ensureOpen();
      return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
      ensureOpen();
      if (newPosition < 0) {
        throw new IllegalArgumentException("negative position " + newPosition);
      }
      position = newPosition;
      return this;
    }

    @Override
    public long size() throws IOException {
      ensureOpen();
      try {
        return length(ns, path);
      } catch (GfsException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }

    private void ensureOpen() throws IOException {
      if (!open) {
        throw new java.nio.channels.ClosedChannelException();
      }
    }
  }
}
