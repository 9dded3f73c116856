package io.gfs.client.internal;

import io.gfs.client.GfsException;
import io.gfs.client.GfsInvalidArgumentException;
import io.gfs.client.GfsOutcomeUnknownException;
import io.gfs.client.GfsUnavailableException;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.GetChunkLocationsResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes whole files and appends records. A file is written chunk by chunk, each chunk to its
 * primary (which replicates it with a 2-of-3 commit), with the next chunk's write in flight while
 * the previous one commits. A record append goes to the primary of the file's last chunk, which
 * picks the offset; a full chunk sends it to a new chunk (records never straddle chunks).
 */
public final class ChunkWrites {
  private static final Logger LOG = LogManager.getLogger(ChunkWrites.class);
  /** Chunk writes of one file in flight at once (pipelining without unbounded memory). */
  private static final int CHUNKS_IN_FLIGHT_MAX = 2;
  /**
   * Attempts of one chunk write, and of one append (chunk-full hops included). Failed attempts
   * back off, so a dead primary is waited out (its lease must expire before the master names
   * another, LESSONS #23) up to the data timeout, not given up on after a few instant refusals.
   */
  private static final int ATTEMPTS_MAX = 16;
  private static final int APPEND_ATTEMPTS_MAX = 64;
  private static final long BACKOFF_FIRST_MS = 20;
  private static final long BACKOFF_MAX_MS = 1_000;

  private final MasterOps master;
  private final ChunkIo io;
  private final ExecutorService executor;
  private final Duration timeout;
  /** The chunk each path's appends go to, so that an append does not ask the master. */
  private final Map<String, AppendTarget> appendTargets = new ConcurrentHashMap<>();

  public ChunkWrites(MasterOps master, ChunkIo io, ExecutorService executor, Duration timeout) {
    this.master = master;
    this.io = io;
    this.executor = executor;
    this.timeout = timeout;
  }

  private record AppendTarget(ChunkInfo chunk, long chunkStart, long chunkSizeBytes) {
  }

  /** The cluster's chunk size, as the master reports it for {@code path}. */
  public long chunkSize(String ns, String path) {
    long chunkSize = master.locations(ns, path, 0, 0, false).getChunkSize();
    if (chunkSize <= 0) {
      throw new GfsException(GfsException.Code.INTERNAL, "master reported no chunk size");
    }
    return chunkSize;
  }

  /** Writes {@code data} as the content of the existing, empty file {@code path}. */
  public void writeChunks(String ns, String path, ByteBuffer data) {
    long chunkSize = chunkSize(ns, path);
    int chunkCount = (int) ((data.remaining() + chunkSize - 1) / chunkSize);
    Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
    try {
      for (int i = 0; i < chunkCount; i++) {
        int start = (int) (i * chunkSize);
        int len = (int) Math.min(chunkSize, data.remaining() - (long) start);
        ByteBuffer piece = data.duplicate();
        piece.position(data.position() + start).limit(data.position() + start + len);
        inFlight.add(startChunk(ns, path, i, piece.slice()));
        while (inFlight.size() >= CHUNKS_IN_FLIGHT_MAX) {
          await(inFlight.removeFirst());
        }
      }
      while (!inFlight.isEmpty()) {
        await(inFlight.removeFirst());
      }
    } finally {
      inFlight.forEach(f -> f.cancel(false));
    }
  }

  /**
   * Allocates chunk {@code index} of {@code path} (the caller goes in index order) and starts
   * writing {@code piece} as its whole content; the future completes when it is committed.
   */
  public CompletableFuture<Void> startChunk(String ns, String path, int index, ByteBuffer piece) {
    ChunkInfo chunk = master.allocateChunk(ns, path, index).getChunk();
    return CompletableFuture.runAsync(() -> writeChunk(ns, path, index, chunk, piece), executor);
  }

  /** Waits for a chunk write started by {@link #startChunk}, rethrowing its failure. */
  public static void await(CompletableFuture<Void> f) {
    awaitFuture(f);
  }

  private static void awaitFuture(CompletableFuture<Void> f) {
    try {
      f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new GfsException(GfsException.Code.INTERNAL, e.getCause().toString(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GfsUnavailableException("interrupted", e);
    }
  }

  /** Writes one whole chunk at offset 0, retrying through primary changes. */
  private void writeChunk(String ns, String path, int index, ChunkInfo chunk, ByteBuffer piece) {
    long length = piece.remaining();
    RuntimeException last = null;
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      if (attempt > 0) {
        if (!backOff(attempt, deadlineNanos)) {
          break;
        }
        chunk = refreshForWrite(ns, path, index);
        Long have = committedOnPrimary(chunk);
        if (have != null && have == length) {
          return; // an earlier attempt committed before its answer was lost
        }
        if (have != null && have != 0) {
          throw new GfsException(GfsException.Code.DATA_LOSS, "chunk " + index + " of " + path
              + " holds " + have + " bytes after a failed write of " + length);
        }
      }
      HostPorts.HostPort primary = ChunkLayout.primary(chunk);
      if (primary == null) {
        last = new GfsUnavailableException("chunk " + index + " of " + path + " has no primary");
        continue;
      }
      try {
        ChunkIo.WriteResult r = io.write(primary, ChunkLayout.handle(chunk), chunk.getVersion(), 0,
            piece.duplicate()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r.offset() != 0) {
          throw new GfsException(GfsException.Code.INTERNAL, "chunk write landed at " + r.offset());
        }
        return;
      } catch (ExecutionException e) {
        last = classify(e.getCause(), "write chunk " + index + " of " + path);
        if (last instanceof GfsInvalidArgumentException) {
          throw last;
        }
      } catch (TimeoutException e) {
        last = new GfsOutcomeUnknownException("write chunk " + index + " of " + path
            + ": no answer within " + timeout.toMillis() + " ms", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GfsUnavailableException("interrupted", e);
      }
      LOG.debug("chunk write retry path={} index={} attempt={} error={}", path, index, attempt,
          last.getMessage());
    }
    throw last;
  }

  private ChunkInfo refreshForWrite(String ns, String path, int index) {
    GetChunkLocationsResponse r = master.locations(ns, path, index, 1, true);
    if (r.getChunksCount() == 0) {
      throw new GfsException(GfsException.Code.FAILED_PRECONDITION,
          "chunk " + index + " of " + path + " is gone (file deleted or replaced?)");
    }
    return r.getChunks(0);
  }

  private Long committedOnPrimary(ChunkInfo chunk) {
    HostPorts.HostPort primary = ChunkLayout.primary(chunk);
    if (primary == null) {
      return null;
    }
    try {
      return io.committedLength(primary, ChunkLayout.handle(chunk), chunk.getVersion())
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GfsUnavailableException("interrupted", e);
    }
  }

  /**
   * Appends one record; returns its offset in the file. A record is never split across chunks;
   * records larger than a quarter chunk are refused.
   */
  public long append(String ns, String path, ByteBuffer record) {
    String key = ns + '\0' + path;
    RuntimeException last = null;
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    int failures = 0;
    for (int attempt = 0; attempt < APPEND_ATTEMPTS_MAX; attempt++) {
      if (failures > 0 && !backOff(failures, deadlineNanos)) {
        break;
      }
      AppendTarget target = appendTargets.get(key);
      if (target == null) {
        target = locateAppendTarget(ns, path);
        appendTargets.put(key, target);
      }
      if (record.remaining() > target.chunkSizeBytes() / 4) {
        throw new GfsInvalidArgumentException("record of " + record.remaining()
            + " bytes is larger than the maximum record size of " + target.chunkSizeBytes() / 4
            + " bytes (a quarter chunk)");
      }
      ChunkInfo chunk = target.chunk();
      HostPorts.HostPort primary = ChunkLayout.primary(chunk);
      try {
        if (primary == null) {
          throw new ChunkIoException(ChunkIoException.Kind.STALE, "no primary", null);
        }
        ChunkIo.WriteResult r = io.write(primary, ChunkLayout.handle(chunk), chunk.getVersion(), -1,
            record.duplicate()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return target.chunkStart() + r.offset();
      } catch (ExecutionException | ChunkIoException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        appendTargets.remove(key, target);
        if (cause instanceof ChunkIoException cie && cie.kind() == ChunkIoException.Kind.CHUNK_FULL) {
          master.allocateChunk(ns, path, chunk.getIndex() + 1);
          continue;
        }
        last = classify(cause, "append to " + path);
        if (last instanceof GfsOutcomeUnknownException || last instanceof GfsInvalidArgumentException
            || last.getClass() == GfsException.class) {
          throw last;
        }
        failures++;
      } catch (TimeoutException e) {
        appendTargets.remove(key, target);
        throw new GfsOutcomeUnknownException("append to " + path + ": no answer within "
            + timeout.toMillis() + " ms; the record may or may not have been appended", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GfsUnavailableException("interrupted", e);
      }
    }
    throw last != null ? last : new GfsUnavailableException("append to " + path
        + ": no chunk took the record in " + APPEND_ATTEMPTS_MAX + " attempts");
  }

  /**
   * Sleeps before retry number {@code failures} (jitter-free exponential backoff); false when the
   * deadline would pass first.
   */
  private static boolean backOff(int failures, long deadlineNanos) {
    long ms = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS << Math.min(failures - 1, 10));
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms) - deadlineNanos > 0) {
      return false;
    }
    try {
      Thread.sleep(ms); // retry backoff, not a wait for a condition
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GfsUnavailableException("interrupted", e);
    }
  }

  private AppendTarget locateAppendTarget(String ns, String path) {
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    long backoffMs = 10;
    while (true) {
      GetChunkLocationsResponse r = master.locations(ns, path, 0, 0, true);
      if (r.getChunksCount() == 0) {
        master.allocateChunk(ns, path, 0);
        r = master.locations(ns, path, 0, 0, true);
      }
      Long start = startOfLastChunk(r);
      if (start != null) {
        return new AppendTarget(r.getChunks(r.getChunksCount() - 1), start, r.getChunkSize());
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new GfsUnavailableException("append to " + path + ": a full chunk before the "
            + "last one was not sealed within " + timeout.toMillis() + " ms");
      }
      try {
        Thread.sleep(backoffMs); // backoff while the primary drains and seals, bounded above
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GfsUnavailableException("interrupted", e);
      }
      backoffMs = Math.min(200, backoffMs * 2);
    }
  }

  /**
   * The file offset at which the last chunk starts, or null while a chunk before it may still
   * grow. A primary that answers CHUNK_FULL has stopped admitting appends, but appends admitted
   * before may still commit until it seals the chunk; counting the chunk's length before the seal
   * would hand out file offsets that later shift (acknowledged records found elsewhere).
   */
  private Long startOfLastChunk(GetChunkLocationsResponse r) {
    long start = 0;
    for (int i = 0; i < r.getChunksCount() - 1; i++) {
      ChunkInfo c = r.getChunks(i);
      if (c.getSealed()) {
        start += c.getCommittedLength();
        continue;
      }
      long known;
      try {
        known = ChunkLengths.ofFollowedChunk(io, c, timeout); // the largest of >= 2 replicas
      } catch (GfsUnavailableException tooFewAnswers) {
        return null; // wait and ask again
      }
      if (known < r.getChunkSize()) {
        return null; // neither sealed nor full: wait for its seal
      }
      start += known;
    }
    return start;
  }

  /** Drops cached append targets for a path (after it was deleted, renamed or replaced). */
  public void forget(String ns, String path) {
    appendTargets.remove(ns + '\0' + path);
  }

  private static RuntimeException classify(Throwable cause, String what) {
    if (cause instanceof GfsException ge) {
      return ge;
    }
    if (cause instanceof ChunkIoException cie) {
      return switch (cie.kind()) {
        case UNKNOWN -> new GfsOutcomeUnknownException(what + ": " + cie.getMessage(), cie);
        case INVALID -> new GfsInvalidArgumentException(what + ": " + cie.getMessage(), cie);
        case NO_SPACE -> new GfsException(GfsException.Code.RESOURCE_EXHAUSTED,
            what + ": " + cie.getMessage(), cie);
        case STALE, UNREACHABLE, NOT_FOUND, FAILED, CORRUPT, CHUNK_FULL ->
            new GfsUnavailableException(what + ": " + cie.getMessage(), cie);
      };
    }
    return new GfsException(GfsException.Code.INTERNAL, what + ": " + cause, cause);
  }

  static UUID handle(ChunkInfo c) {
    return ChunkLayout.handle(c);
  }
}
