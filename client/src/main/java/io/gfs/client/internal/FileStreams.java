package io.gfs.client.internal;

import io.gfs.client.GfsException;
import io.gfs.client.internal.dataplane.ReadBuffers;
import io.gfs.proto.ChunkInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
  /**
   * Pieces of ChunkReads.PIECE_BYTES_MAX read ahead in parallel by an input stream: with the one
   * being consumed, an open input stream holds at most (8 + 1) x 4 MiB = 36 MiB.
   */
  static final int READ_AHEAD_PIECES = 8;

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
    return new ChunkInputStream(ns, path);
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

  /** Buffers one chunk, writes it while the next one fills; publishes on close. */
  private final class ChunkOutputStream extends OutputStream {
    private final String ns;
    private final String path;
    private final String tmp;
    private final int chunkSize;
    private final Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
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
          buffer = ByteBuffer.allocate(Math.min(chunkSize, Math.max(len, 1 << 20)));
        }
        if (!buffer.hasRemaining()) {
          if (buffer.capacity() < chunkSize) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(chunkSize, buffer.capacity() * 2));
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

    private void flushChunk() throws IOException {
      buffer.flip();
      try {
        inFlight.add(writes.startChunk(ns, tmp, nextIndex++, buffer));
        buffer = null;
        while (inFlight.size() >= CHUNKS_IN_FLIGHT_MAX) {
          ChunkWrites.await(inFlight.removeFirst());
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

    private void abort() {
      closed = true;
      inFlight.forEach(f -> f.cancel(false));
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
          ChunkWrites.await(inFlight.removeFirst());
        }
        publish(ns, tmp, path);
        closed = true;
      } catch (GfsException e) {
        abort();
        throw new IOException(e.getMessage(), e);
      }
    }
  }

  /**
   * Reads the file in pieces, with up to {@link #READ_AHEAD_PIECES} pieces fetched in parallel
   * ahead of the reader (from different chunks, and so usually different replicas): memory stays
   * bounded at that many pieces (plus the one being consumed) whatever the file's size. A piece is
   * kept as the verified buffers the data plane received, so its bytes are copied once only,
   * into the caller's array. Every piece's buffers are released exactly once: when consumed, on
   * close, on a failed read, and, for pieces still in flight at close, when they arrive.
   */
  private final class ChunkInputStream extends InputStream {
    private final String ns;
    private final String path;
    private final Deque<CompletableFuture<Piece>> ahead = new ArrayDeque<>();
    private long nextFetch;
    private boolean lastFetched;
    private final Deque<ReadBuffers> current = new ArrayDeque<>();

    ChunkInputStream(String ns, String path) {
      this.ns = ns;
      this.path = path;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      int n = 0;
      while (n < len) {
        ReadBuffers head = current.peekFirst();
        if (head == null) {
          if (n > 0 || !fill()) {
            break; // return what is at hand rather than wait for the next piece
          }
          continue;
        }
        n += head.copyTo(b, off + n, len - n);
        if (head.remaining() == 0) {
          current.pollFirst().close();
        }
      }
      return n == 0 ? -1 : n;
    }

    /**
     * Starts reading the piece at {@code offset}: one asynchronous request straight to a replica
     * when the piece lies inside one known chunk (no thread waits for it), else, or for whatever
     * that request did not bring, the blocking path with failover on the executor.
     */
    private CompletableFuture<Piece> start(long offset) {
      ChunkReads.Span span = reads.span(ns, path, offset, ChunkReads.PIECE_BYTES_MAX);
      if (span == null) {
        return CompletableFuture.supplyAsync(() -> rest(offset, new Piece()), executor);
      }
      return reads.readSpan(span).handle((result, failure) -> {
        Piece piece = new Piece();
        if (failure == null) {
          piece.add(result);
        }
        return piece;
      }).thenCompose(piece -> {
        if (piece.bytes == ChunkReads.PIECE_BYTES_MAX) {
          return CompletableFuture.completedFuture(piece);
        }
        try {
          return CompletableFuture.supplyAsync(() -> rest(offset, piece), executor);
        } catch (RuntimeException e) {
          piece.release(); // the executor refused: nobody else holds the piece
          throw e;
        }
      });
    }

    /** Completes {@code piece} (the bytes of the piece at {@code offset} it lacks) or hits EOF. */
    private Piece rest(long offset, Piece piece) {
      try {
        reads.read(ns, path, offset + piece.bytes, ChunkReads.PIECE_BYTES_MAX - piece.bytes,
            b -> piece.add(ReadBuffers.wrap(b, 0)));
        return piece;
      } catch (RuntimeException e) {
        piece.release();
        throw e;
      }
    }

    private boolean fill() throws IOException {
      while (!lastFetched && ahead.size() < READ_AHEAD_PIECES) {
        long offset = nextFetch;
        nextFetch += ChunkReads.PIECE_BYTES_MAX;
        ahead.add(start(offset));
      }
      CompletableFuture<Piece> first = ahead.pollFirst();
      if (first == null) {
        return false;
      }
      Piece next;
      try {
        next = first.get();
      } catch (ExecutionException e) {
        close();
        Throwable cause = e.getCause();
        throw new IOException(cause.getMessage(), cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        releaseWhenDone(first);
        close();
        throw new java.io.InterruptedIOException("interrupted");
      }
      if (next.bytes < ChunkReads.PIECE_BYTES_MAX) {
        // A short piece is the end of the file as of this read: later pieces are past it.
        lastFetched = true;
        dropAhead();
      }
      current.addAll(next.buffers);
      return next.bytes > 0;
    }

    /**
     * Pieces in flight are not cancelled, which would drop buffers that are on their way: each
     * is released when it arrives.
     */
    private void dropAhead() {
      ahead.forEach(FileStreams::releaseWhenDone);
      ahead.clear();
    }

    @Override
    public void close() {
      lastFetched = true;
      dropAhead();
      current.forEach(ReadBuffers::close);
      current.clear();
    }
  }

  private static void releaseWhenDone(CompletableFuture<Piece> piece) {
    piece.whenComplete((p, t) -> {
      if (p != null) {
        p.release();
      }
    });
  }

  /** The verified buffers of one piece, in file order. */
  private static final class Piece {
    private final List<ReadBuffers> buffers = new ArrayList<>();
    private long bytes;

    void add(ReadBuffers b) {
      int n = b.remaining();
      if (n > 0) {
        buffers.add(b);
        bytes += n;
      } else {
        b.close();
      }
    }

    void release() {
      buffers.forEach(ReadBuffers::close);
    }
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
