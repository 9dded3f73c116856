package io.gfs.client.internal;

import io.gfs.client.internal.dataplane.ReadBuffers;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Reads the file in pieces, with up to {@link #READ_AHEAD_PIECES} pieces fetched in parallel
 * ahead of the reader (from different chunks, and so usually different replicas): memory stays
 * bounded at that many pieces (plus the one being consumed) whatever the file's size. A piece is
 * kept as the verified buffers the data plane received, so its bytes are copied once only,
 * into the caller's array. Every piece's buffers are released exactly once: when consumed, on
 * close, on a failed read, and, for pieces still in flight at close, when they arrive.
 */
final class PieceInputStream extends InputStream {
  /**
   * Pieces of ChunkReads.PIECE_BYTES_MAX read ahead in parallel: with the one being consumed, an
   * open input stream holds at most (8 + 1) x 4 MiB = 36 MiB.
   */
  static final int READ_AHEAD_PIECES = 8;

  private final ChunkReads reads;
  private final Executor executor;
  private final String ns;
  private final String path;
  private final Deque<CompletableFuture<Piece>> ahead = new ArrayDeque<>();
  private long nextFetch;
  private boolean lastFetched;
  private final Deque<ReadBuffers> current = new ArrayDeque<>();

  PieceInputStream(ChunkReads reads, Executor executor, String ns, String path) {
    this.reads = reads;
    this.executor = executor;
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
    Objects.checkFromIndexSize(off, len, b.length);
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
    ahead.forEach(PieceInputStream::releaseWhenDone);
    ahead.clear();
  }

  @Override
  public void close() {
    lastFetched = true;
    dropAhead();
    current.forEach(ReadBuffers::close);
    current.clear();
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
}
