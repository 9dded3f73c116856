package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.proto.ReplicaProblem;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The primary role this server gave up because its own commit of a mutation failed after the
 * COMMITs had gone out (the parallel commit of {@link CommitRound}). The secondaries may then
 * hold a mutation the primary lacks, so the primary's allocator (which would rewind to its own
 * committed state and hand the same sequence and offset to the next write) must never be used
 * again: the chunk is marked here, its cached lease is dropped, and the chunk is claimed and
 * recovered at once (ChunkRecovery adopts the highest committed state of a majority).
 *
 * <p>Until that recovery and the check after it are done, new writes of the chunk wait
 * ({@link #gate}): recovery at the same lease version does not see a replica it cannot reach, so
 * a secondary that may hold the mutation while the recovered state does not is reported stale
 * and excluded before any new COMMIT could reach it (it would take a reused sequence number as a
 * repeat and keep different bytes).
 *
 * <p>The gate never opens without that check. After a few quick attempts (the master or a
 * majority unreachable) new writes of the chunk fail at once with NOT_PRIMARY instead of
 * waiting, and the recovery is retried in the background with a growing pause until it
 * succeeds, or the master grants the lease at a newer version (recovery at a new version
 * leaves out every replica that missed the bump), or the chunk is gone.
 */
final class AbandonedLeases {
  private static final Logger LOG = LogManager.getLogger(AbandonedLeases.class);

  /** Attempts while new writes wait at the gate; after them they fail fast. */
  private static final int RECOVERY_ATTEMPTS_WAITING = 3;
  private static final long RETRY_PAUSE_MAX_MS = 10_000;

  private final PrimaryContext ctx;
  // identity set; weak so that forgotten PrimaryChunks do not accumulate
  private final Set<PrimaryChunk> abandoned =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private final Map<String, CompletableFuture<Void>> gates = new ConcurrentHashMap<>();

  AbandonedLeases(PrimaryContext ctx) {
    this.ctx = ctx;
  }

  boolean contains(PrimaryChunk pc) {
    return abandoned.contains(pc);
  }

  /** Completes when new writes of the chunk may claim its lease (at once, normally). */
  CompletableFuture<Void> gate(String handle) {
    CompletableFuture<Void> g = gates.get(handle);
    return g == null ? CompletableFuture.completedFuture(null) : g;
  }

  /**
   * True while the chunk's recovery after a failed commit is not finished. A write that passed
   * the gate just before it shut may already hold the recovered lease; it must not go on.
   */
  boolean recovering(String handle) {
    return gates.containsKey(handle);
  }

  /**
   * Gives up the role: called before the failed mutation is settled in {@code pc}'s chain, so
   * every session that is assigned after the allocator rewinds sees the mark.
   */
  void abandon(PrimaryChunk pc, Mutation m, Throwable why) {
    abandoned.add(pc);
    // shut before the lease is dropped, so no new write claims it ahead of the recovery below
    gates.computeIfAbsent(pc.handle, h -> new CompletableFuture<>());
    ctx.leases().drop(pc);
    LOG.warn("{} own commit failed after COMMIT was sent, giving up the primary role chunk={}"
        + " version={} seq={} error={}", ctx.nodeId(), pc.handle, pc.version, m.sequence(),
        String.valueOf(why));
  }

  /**
   * Claims and recovers the chunk again, then fences the secondaries in {@code mayHold} if the
   * recovered state does not contain {@code m}, and opens the gate. A failed claim or recovery is
   * retried with the gate shut (a later claim by a plain write would skip the fence). The
   * returned future, for the client's answer, completes normally when that is done or after a
   * bounded wait, whichever is first.
   */
  CompletableFuture<Void> recover(PrimaryChunk old, Mutation m, List<PeerStage> mayHold) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    attempt(old, m, mayHold, 1, done);
    long waitMs = 4 * Math.max(1, ctx.settings().replicaDeadline().toMillis());
    ctx.timer().schedule(() -> done.complete(null), waitMs, TimeUnit.MILLISECONDS);
    return done;
  }

  private void attempt(PrimaryChunk old, Mutation m, List<PeerStage> mayHold, int attempt,
      CompletableFuture<Void> done) {
    CompletableFuture<PrimaryChunk> claim;
    try {
      claim = ctx.leases().acquire(old.handle, old.version);
    } catch (RuntimeException e) {
      claim = CompletableFuture.failedFuture(e);
    }
    claim.whenCompleteAsync((pc, err) -> {
      boolean retry = false;
      try {
        if (err != null) {
          Throwable cause = err instanceof CompletionException && err.getCause() != null
              ? err.getCause() : err;
          retry = !(cause instanceof ChunkException c && c.code() == Code.NOT_FOUND);
          LOG.warn("{} recovery after a failed commit did not finish chunk={} attempt={}"
              + " retry={} error={}", ctx.nodeId(), old.handle, attempt, retry, err.toString());
        } else if (pc.version == old.version && pc.committedLength() < m.offset() + m.length()) {
          fence(pc, m, mayHold);
        } else {
          LOG.info("{} chunk recovered after a failed commit chunk={} version={} length={}",
              ctx.nodeId(), old.handle, pc.version, pc.committedLength());
        }
      } finally {
        if (retry) {
          retryLater(old, m, mayHold, attempt, done);
        } else {
          open(old.handle);
          done.complete(null);
        }
      }
    }, ctx.io());
  }

  private void retryLater(PrimaryChunk old, Mutation m, List<PeerStage> mayHold, int attempt,
      CompletableFuture<Void> done) {
    long base = Math.max(1, ctx.settings().replicaDeadline().toMillis() / 2);
    long pauseMs = base;
    if (attempt == RECOVERY_ATTEMPTS_WAITING) {
      failFast(old.handle);
      done.complete(null); // the client's answer (no success) need not wait for the retries
    }
    if (attempt >= RECOVERY_ATTEMPTS_WAITING) {
      pauseMs = Math.min(RETRY_PAUSE_MAX_MS,
          base << Math.min(10, attempt - RECOVERY_ATTEMPTS_WAITING + 1));
    }
    try {
      ctx.timer().schedule(() -> attempt(old, m, mayHold, attempt + 1, done), pauseMs,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Known gap: the pending fence is not persisted, so a restarted server that claims the
      // lease again at the same version recovers without it.
      LOG.warn("{} stopping: recovery after a failed commit left unfinished, its fence is not"
          + " kept across the restart chunk={}", ctx.nodeId(), old.handle);
    }
  }

  /** Writes waiting at the gate, and new ones, fail at once until the recovery succeeds. */
  private void failFast(String handle) {
    ChunkException pending = new ChunkException(Code.NOT_PRIMARY, "chunk " + handle
        + " is still being recovered after a failed commit (the master or a majority of its"
        + " replicas did not answer); retry later");
    CompletableFuture<Void> waiting = gates.put(handle, CompletableFuture.failedFuture(pending));
    if (waiting != null) {
      waiting.completeExceptionally(pending); // writes waiting at the shut gate
    }
  }

  private void open(String handle) {
    CompletableFuture<Void> g = gates.remove(handle);
    if (g != null) {
      g.complete(null); // waiting writes now claim the recovered lease
    }
  }

  private void fence(PrimaryChunk pc, Mutation m, List<PeerStage> mayHold) {
    LOG.info("{} chunk recovered without the failed mutation chunk={} version={} length={}"
        + " seq={} fenced={}", ctx.nodeId(), pc.handle, pc.version, pc.committedLength(),
        m.sequence(), mayHold.stream().map(s -> s.peer.getServerId()).toList());
    for (PeerStage s : mayHold) {
      String id = s.peer.getServerId();
      pc.excluded.add(id);
      LOG.warn("{} replica may hold a mutation recovery did not adopt, reporting stale"
          + " chunk={} version={} replica={} seq={} recoveredLength={}", ctx.nodeId(), pc.handle,
          pc.version, id, m.sequence(), pc.committedLength());
      ctx.master().reportReplicaProblem(pc.handle, pc.version, id, ReplicaProblem.MISSED_COMMIT,
          "may hold mutation " + m.sequence() + " which the recovered chunk (length "
              + pc.committedLength() + ") does not");
    }
  }
}
