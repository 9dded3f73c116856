package io.gfs.client.internal;

import io.gfs.client.GfsException;
import io.gfs.client.GfsUnavailableException;
import io.gfs.client.internal.dataplane.ReadBuffers;
import io.gfs.proto.ChunkInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads byte ranges of files: maps file offsets to chunks, reads each range from one replica and,
 * when a replica fails, resumes at the next byte not yet delivered on another one — never
 * repeating a byte (LESSONS #11) and never returning bytes past a replica's committed length.
 * A replica whose bytes fail their checksum is reported to the master.
 */
public final class ChunkReads {
  private static final Logger LOG = LogManager.getLogger(ChunkReads.class);
  /** Bytes asked of a replica in one request; bounds the memory of one read in flight. */
  public static final int PIECE_BYTES_MAX = 4 << 20;

  /** Final lengths of followed chunks remembered; the memo is dropped whole when it fills. */
  static final int FOLLOWED_LENGTHS_MAX = 16_384;
  private static final long BACKOFF_FIRST_MS = 50;
  private static final long BACKOFF_MAX_MS = 1_000;

  private final MasterOps master;
  private final ChunkIo io;
  private final LocationCache cache;
  private final Duration timeout;
  private final Duration locationWait;
  /**
   * "handle@version" to the length of a full chunk that another one follows. A full chunk can
   * never grow, yet asking its length costs a round trip to every replica: without the memo a
   * sequential read paid it for every earlier chunk on every piece. A followed chunk that is not
   * full is not remembered: a writer keeps chunks in flight, so the next chunk can exist while
   * this one is still being filled.
   */
  private final Map<String, Long> followedLengths = new ConcurrentHashMap<>();

  /**
   * @param timeout deadline of one data-plane request
   * @param locationWait how long a read waits for the master to learn a chunk's replicas, as
   *     after a master failover, before it fails with GfsUnavailableException
   */
  public ChunkReads(MasterOps master, ChunkIo io, LocationCache cache, Duration timeout,
      Duration locationWait) {
    this.master = master;
    this.io = io;
    this.cache = cache;
    this.timeout = timeout;
    this.locationWait = locationWait;
  }

  /** The file's layout, from the cache when fresh. */
  public ChunkLayout layout(String ns, String path) {
    return cache.get(ns, path, () -> fetch(ns, path));
  }

  private ChunkLayout fetch(String ns, String path) {
    var r = master.locations(ns, path, 0, 0, false);
    return new ChunkLayout(r.getFile(), r.getChunksList(), r.getChunkSize(), System.nanoTime());
  }

  /**
   * Delivers the bytes of {@code [offset, offset + length)} (clipped at the end of the file) to
   * {@code sink} in order, and returns how many were delivered.
   */
  public long read(String ns, String path, long offset, long length, Consumer<ByteBuffer> sink) {
    if (offset < 0 || length < 0) {
      throw new io.gfs.client.GfsInvalidArgumentException(
          "offset and length must be >= 0 (offset=" + offset + ", length=" + length + ")");
    }
    long[] delivered = {0};
    Consumer<ByteBuffer> counting = b -> {
      delivered[0] += b.remaining();
      sink.accept(b);
    };
    return awaitingLocations(ns, path, () -> {
      readOnce(ns, path, offset + delivered[0], length - delivered[0], counting);
      return delivered[0];
    });
  }

  /**
   * Runs {@code attempt} again, with the file's locations asked anew, while it fails because the
   * master knows no replica of a chunk it needs — bounded by the location wait. An attempt must
   * resume where the previous one stopped.
   */
  public <T> T awaitingLocations(String ns, String path, Supplier<T> attempt) {
    long deadline = System.nanoTime() + locationWait.toNanos();
    long backoffMs = BACKOFF_FIRST_MS;
    while (true) {
      try {
        return attempt.get();
      } catch (NoReplicasKnownException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw e;
        }
        LOG.debug("waiting for the master to learn replicas path={} error={}", path,
            e.getMessage());
        sleep(backoffMs);
        backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
        cache.invalidate(ns, path);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GfsUnavailableException("interrupted", e);
    }
  }

  private long readOnce(String ns, String path, long offset, long length,
      Consumer<ByteBuffer> sink) {
    ChunkLayout layout = layout(ns, path);
    long pos = offset;
    long remaining = length;
    long chunkStart = 0;
    List<ChunkInfo> chunks = layout.chunks();
    for (int i = 0; i < chunks.size() && remaining > 0; i++) {
      ChunkInfo chunk = chunks.get(i);
      long chunkLength = chunk.getSealed() ? chunk.getCommittedLength()
          : i < chunks.size() - 1 ? followedLength(chunk, layout.chunkSizeBytes())
          : liveLength(chunk);
      long chunkEnd = chunkStart + chunkLength;
      if (pos < chunkEnd) {
        long n = Math.min(remaining, chunkEnd - pos);
        long got = readChunk(ns, path, chunk, pos - chunkStart, n, sink);
        pos += got;
        remaining -= got;
        if (got < n) {
          break; // the replica's copy ended early: a concurrent truncation cannot happen, so EOF
        }
      }
      chunkStart = chunkEnd;
    }
    return pos - offset;
  }

  /**
   * Bytes of a file that lie inside one chunk, at {@code chunkOffset} in it. In the last chunk
   * {@code length} is an upper bound: its end is not asked of a replica, the read itself tells.
   */
  public record Span(ChunkInfo chunk, long chunkOffset, int length) {
  }

  /**
   * Where {@code [offset, offset + length)} lies when it is inside one chunk whose place in the
   * file is known without a round trip beyond the memo; null otherwise (past the known chunks,
   * across a chunk boundary, a chunk without replicas, a length the replicas would not tell),
   * and the caller then goes through {@link #read}, which handles all of those.
   */
  public Span span(String ns, String path, long offset, int length) {
    try {
      ChunkLayout layout = layout(ns, path);
      List<ChunkInfo> chunks = layout.chunks();
      long chunkStart = 0;
      for (int i = 0; i < chunks.size(); i++) {
        ChunkInfo chunk = chunks.get(i);
        if (chunk.getReplicasCount() == 0) {
          return null;
        }
        long chunkLength = chunk.getSealed() ? chunk.getCommittedLength()
            : i < chunks.size() - 1 ? followedLength(chunk, layout.chunkSizeBytes())
            : layout.chunkSizeBytes();
        long chunkEnd = chunkStart + chunkLength;
        if (offset < chunkEnd) {
          return offset >= chunkStart && offset + length <= chunkEnd
              ? new Span(chunk, offset - chunkStart, length) : null;
        }
        chunkStart = chunkEnd;
      }
      return null;
    } catch (GfsException e) {
      return null;
    }
  }

  /**
   * One verified read of a span from the replica {@link #read} would try first, never past that
   * replica's committed length. It may fail or come back short (a lagging replica, the end of
   * the file, a failed or corrupt replica): the caller then reads the rest through {@link #read},
   * which fails over, reports corrupt replicas and finds the end of the file. The caller must
   * close the result.
   */
  public CompletableFuture<ReadBuffers> readSpan(Span span) {
    HostPorts.HostPort replica = spread(ChunkLayout.replicas(span.chunk()),
        pieceSpread(span.chunk().getIndex(), span.chunkOffset())).get(0);
    return io.readBuffers(replica, ChunkLayout.handle(span.chunk()), span.chunk().getVersion(),
        span.chunkOffset(), span.length());
  }

  /** The length of a chunk that another one follows; asked of its replicas once when full. */
  long followedLength(ChunkInfo chunk, long chunkSizeBytes) {
    if (chunk.getSealed()) {
      return chunk.getCommittedLength();
    }
    String key = chunk.getHandle() + "@" + chunk.getVersion();
    Long known = followedLengths.get(key);
    if (known != null) {
      return known;
    }
    long length = ChunkLengths.ofFollowedChunk(io, chunk, timeout);
    if (length < chunkSizeBytes) {
      return length;  // may still grow: a writer can have the next chunk in flight
    }
    if (followedLengths.size() >= FOLLOWED_LENGTHS_MAX) {
      followedLengths.clear(); // bounded memory; lengths are simply asked again
    }
    followedLengths.put(key, length);
    return length;
  }

  /** The exact committed length of an unsealed chunk, from the first replica that answers. */
  long liveLength(ChunkInfo chunk) {
    if (chunk.getReplicasCount() == 0) {
      throw NoReplicasKnownException.lengthOf(chunk);
    }
    for (HostPorts.HostPort replica : ChunkLayout.replicas(chunk)) {
      try {
        long len = io.committedLength(replica, ChunkLayout.handle(chunk), chunk.getVersion())
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return Math.max(len, chunk.getCommittedLength());
      } catch (ExecutionException | TimeoutException e) {
        LOG.debug("committed length unavailable chunk={} replica={} error={}",
            chunk.getHandle(), replica, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GfsUnavailableException("interrupted", e);
      }
    }
    return chunk.getCommittedLength(); // the master's lower bound: reads never pass it wrongly
  }

  private long readChunk(
      String ns, String path, ChunkInfo chunk, long chunkOffset, long length,
      Consumer<ByteBuffer> sink) {
    long done = 0;
    boolean refreshed = false;
    List<HostPorts.HostPort> replicas = spread(ChunkLayout.replicas(chunk), chunk.getIndex());
    int r = 0;
    Exception lastError = null;
    while (done < length) {
      if (r >= replicas.size()) {
        if (refreshed) {
          throw new GfsUnavailableException("no replica of chunk " + chunk.getIndex() + " of "
              + path + " could serve offset " + (chunkOffset + done) + " (last error: "
              + (lastError == null ? "none" : lastError.getMessage()) + ")", lastError);
        }
        cache.invalidate(ns, path);
        chunk = master.locations(ns, path, chunk.getIndex(), 1, false).getChunks(0);
        replicas = spread(ChunkLayout.replicas(chunk), chunkOffset + done);
        if (replicas.isEmpty()) {
          throw new NoReplicasKnownException("the master knows no replica of chunk "
              + chunk.getIndex() + " of " + path + " yet");
        }
        r = 0;
        refreshed = true;
        continue;
      }
      HostPorts.HostPort replica = replicas.get(r);
      int piece = (int) Math.min(PIECE_BYTES_MAX, length - done);
      try {
        ChunkIo.ReadResult result = io.read(replica, ChunkLayout.handle(chunk), chunk.getVersion(),
            chunkOffset + done, piece).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        int got = result.data().remaining();
        if (got == 0) {
          // This replica's committed length is shorter than another's: it lags. Use another.
          lastError = new IllegalStateException("replica " + replica + " has only "
              + result.committedLength() + " bytes");
          r++;
          continue;
        }
        sink.accept(result.data());
        done += got;
      } catch (ExecutionException e) {
        lastError = e.getCause() instanceof Exception ex ? ex : e;
        if (e.getCause() instanceof ChunkIoException cie
            && cie.kind() == ChunkIoException.Kind.CORRUPT) {
          reportCorrupt(chunk, replica, cie.getMessage());
        }
        LOG.debug("read failed over chunk={} replica={} at={} error={}", chunk.getHandle(),
            replica, chunkOffset + done, lastError.toString());
        r++;
      } catch (TimeoutException e) {
        lastError = e;
        r++;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GfsUnavailableException("interrupted", e);
      }
    }
    return done;
  }

  /**
   * What {@link #spread} orders a piece's replicas by: consecutive pieces of a chunk (at
   * {@code chunkOffset}, in {@link #PIECE_BYTES_MAX} steps) start at consecutive replicas, so a
   * sequential reader's read-ahead (PieceInputStream: eight pieces, half a chunk) keeps every
   * replica busy rather than one at a time. The same piece always goes to the same replica, so
   * a re-read still finds what that replica's page cache kept. Chunkservers read large uncached
   * regions directly (ChunkStore), so no kernel read-ahead on one replica fetches the pieces the
   * others serve. Measured (W2, MiB/s, 2 runs each): one replica per chunk 844 / 849 (read right
   * after writing / caches dropped), one per piece 930 / 1102.
   */
  static long pieceSpread(long chunkIndex, long chunkOffset) {
    return chunkIndex + chunkOffset / PIECE_BYTES_MAX;
  }

  /**
   * The replicas in the order to try them for chunk {@code chunkIndex} (or a piece's
   * {@link #pieceSpread}): consecutive indexes start at consecutive replicas, each keeping all
   * the others as fallbacks.
   */
  static List<HostPorts.HostPort> spread(List<HostPorts.HostPort> replicas, long chunkIndex) {
    List<HostPorts.HostPort> out = new ArrayList<>(replicas);
    if (out.size() > 1) {
      Collections.rotate(out, -(int) (chunkIndex % out.size()));
    }
    return out;
  }

  private void reportCorrupt(ChunkInfo chunk, HostPorts.HostPort replica, String detail) {
    LOG.warn("corrupt replica chunk={} replica={} detail={}", chunk.getHandle(), replica, detail);
    try {
      master.reportCorrupt(chunk.getHandle(), chunk.getVersion(),
          ChunkLayout.serverId(chunk, replica), detail);
    } catch (GfsException e) {
      LOG.warn("could not report corrupt replica chunk={} error={}", chunk.getHandle(),
          e.getMessage());
    }
  }
}
