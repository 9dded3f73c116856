package io.gfs.chunkserver.replication;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.storage.ChunkHandles;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.chunkserver.storage.StageFile;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A replica's side of the two-phase commit, for the secondaries (through the gRPC service) and
 * for the primary itself: stages mutations, applies commits strictly in sequence order (buffering
 * early arrivals, bounded in count and time), and fences older chunk versions.
 */
public final class ReplicaEngine {
  private static final Logger LOG = LogManager.getLogger(ReplicaEngine.class);

  private final String nodeId;
  private final ChunkStore store;
  private final ScheduledExecutorService timer;
  private final Duration commitWaitMax;
  private final int pendingCommitsMax;
  private final LongSupplier chunkSizeBytes;
  private final Map<StageKey, StageFile> stages = new ConcurrentHashMap<>();
  private final Map<String, Sequencer> sequencers = new ConcurrentHashMap<>();

  private record StageKey(String handle, long stageId) {}

  /** Commits waiting for their predecessor; per chunk. */
  private static final class Sequencer {
    // guarded by this; keyed by prevSequence
    final Map<Long, Pending> waiting = new HashMap<>();
  }

  private record Pending(Mutation mutation, CompletableFuture<ChunkMeta> result) {}

  /** {@code chunkSizeBytes}: the cluster's chunk size; no mutation may reach beyond it. */
  public ReplicaEngine(String nodeId, ChunkStore store, ScheduledExecutorService timer,
      Duration commitWaitMax, int pendingCommitsMax, LongSupplier chunkSizeBytes) {
    this.chunkSizeBytes = chunkSizeBytes;
    this.nodeId = nodeId;
    this.store = store;
    this.timer = timer;
    this.commitWaitMax = commitWaitMax;
    this.pendingCommitsMax = pendingCommitsMax;
  }

  public ChunkStore store() {
    return store;
  }

  public String nodeId() {
    return nodeId;
  }

  /** Starts staging a mutation; a chunk this replica does not hold yet is created here. */
  public StageFile beginStage(Mutation m) {
    ChunkHandles.require(m.handle());
    long chunkSize = chunkSizeBytes.getAsLong();
    if (m.length() > chunkSize) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "mutation of " + m.length()
          + " bytes does not fit in a chunk of " + chunkSize);
    }
    ChunkMeta meta = fence(m.handle(), m.version());
    if (meta.sealed()) {
      throw new ChunkException(Code.CHUNK_FULL, "chunk " + m.handle() + " is sealed");
    }
    StageFile stage = store.openStage(m.handle(), m.version(), m.stageId(), m.length(),
        m.crc32c(), m.requestedOffset());
    StageFile old = stages.put(new StageKey(m.handle(), m.stageId()), stage);
    if (old != null && old != stage) {
      old.close();
    }
    return stage;
  }

  /** Version fencing: older than ours → STALE_VERSION; newer → adopted (a new primary's). */
  private ChunkMeta fence(String handle, long version) {
    ChunkMeta meta = store.state(handle).orElseGet(() -> store.createIfAbsent(handle, version));
    if (version < meta.version()) {
      throw new ChunkException(Code.STALE_VERSION, "version " + version
          + " is older than replica version " + meta.version() + " of chunk " + handle);
    }
    if (version > meta.version()) {
      meta = store.setVersion(handle, version);
    }
    return meta;
  }

  /**
   * Completes once {@code m}'s stage here is complete or gone, or at once when it already is (or
   * was never begun): a COMMIT sent right behind its stage's data waits on this before
   * {@link #commit}, which then finds the stage complete or answers NOT_FOUND.
   */
  public CompletableFuture<Void> stageSettled(Mutation m) {
    StageFile stage = stages.get(new StageKey(ChunkHandles.require(m.handle()), m.stageId()));
    return stage == null ? CompletableFuture.completedFuture(null) : stage.settled();
  }

  /** Whether {@code m}'s stage is here, complete or not (not yet committed or dropped). */
  public boolean holdsStage(Mutation m) {
    return stages.containsKey(new StageKey(ChunkHandles.require(m.handle()), m.stageId()));
  }

  /** Drops a staged mutation (abort, or a broken stage stream). */
  public void abort(String handle, long version, long stageId) {
    StageFile stage = stages.remove(new StageKey(ChunkHandles.require(handle), stageId));
    if (stage != null) {
      if (version < stage.version()) {
        stages.putIfAbsent(new StageKey(handle, stageId), stage); // an older primary's abort
        return;
      }
      stage.close();
    }
  }

  /**
   * Applies a mutation once its predecessor is applied. Completes with the chunk state after it,
   * or exceptionally (STALE_VERSION, NOT_FOUND when nothing was staged, TIMEOUT, OVERLOADED).
   */
  public CompletableFuture<ChunkMeta> commit(Mutation m) {
    CompletableFuture<ChunkMeta> result = new CompletableFuture<>();
    if (!m.isOrdered()) {
      result.completeExceptionally(new ChunkException(Code.INVALID_ARGUMENT,
          "commit without a sequence"));
      return result;
    }
    Sequencer seq = sequencers.computeIfAbsent(ChunkHandles.require(m.handle()),
        h -> new Sequencer());
    try {
      synchronized (seq) {
        ChunkMeta meta = fence(m.handle(), m.version());
        if (meta.committedSequence() >= m.sequence()) {
          result.complete(meta); // a repeated commit: already applied
          return result;
        }
        if (meta.committedSequence() != m.prevSequence()) {
          if (seq.waiting.size() >= pendingCommitsMax) {
            throw new ChunkException(Code.OVERLOADED, "too many early commits on " + m.handle());
          }
          Pending old = seq.waiting.put(m.prevSequence(), new Pending(m, result));
          if (old != null) {
            old.result.completeExceptionally(new ChunkException(Code.INVALID_ARGUMENT,
                "superseded commit sequence " + old.mutation.sequence()));
          }
          timer.schedule(() -> expire(seq, m, result), commitWaitMax.toMillis(),
              TimeUnit.MILLISECONDS);
          return result;
        }
        // Applying under the chunk's sequencer lock is what orders commits; it guards only
        // this chunk and is never nested with another sequencer.
        ChunkMeta after = apply(m);
        result.complete(after);
        drain(seq, after);
      }
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  private void drain(Sequencer seq, ChunkMeta after) {
    ChunkMeta current = after;
    for (int i = 0; i <= pendingCommitsMax; i++) {
      Pending next = seq.waiting.remove(current.committedSequence());
      if (next == null) {
        return;
      }
      try {
        fence(next.mutation.handle(), next.mutation.version());
        current = apply(next.mutation);
        next.result.complete(current);
      } catch (RuntimeException e) {
        next.result.completeExceptionally(e);
        return;
      }
    }
  }

  private void expire(Sequencer seq, Mutation m, CompletableFuture<ChunkMeta> result) {
    synchronized (seq) {
      Pending p = seq.waiting.get(m.prevSequence());
      if (p != null && p.result == result) {
        seq.waiting.remove(m.prevSequence());
      }
    }
    result.completeExceptionally(new ChunkException(Code.TIMEOUT, "commit " + m.sequence()
        + " of chunk " + m.handle() + " waited too long for commit " + m.prevSequence()));
  }

  private ChunkMeta apply(Mutation m) {
    StageKey key = new StageKey(m.handle(), m.stageId());
    StageFile stage = stages.get(key);
    if (stage == null || !stage.isComplete() || stage.length() != m.length()) {
      throw new ChunkException(Code.NOT_FOUND, "no complete staged data for mutation "
          + m.sequence() + " of chunk " + m.handle());
    }
    ChunkMeta after = store.commitStage(stage, m.offset(), m.sequence());
    stages.remove(key, stage);
    stage.close();
    LOG.debug("{} mutation committed chunk={} seq={} offset={} length={}", nodeId, m.handle(),
        m.sequence(), m.offset(), m.length());
    return after;
  }

  /** A new primary's version: raise ours and discard every uncommitted stage of the chunk. */
  public ChunkMeta setVersion(String handle, long version) {
    ChunkHandles.require(handle);
    ChunkMeta current = store.state(handle).orElse(null);
    if (current != null && version < current.version()) {
      throw new ChunkException(Code.STALE_VERSION, "version " + version
          + " is older than replica version " + current.version());
    }
    stages.entrySet().removeIf(e -> {
      if (e.getKey().handle().equals(handle)) {
        e.getValue().close();
        return true;
      }
      return false;
    });
    store.discardStaging(handle);
    ChunkMeta after = store.setVersion(handle, version);
    LOG.info("{} chunk version set chunk={} version={}", nodeId, handle, version);
    return after;
  }

  /** Seals the chunk if this replica is at the primary's committed length. */
  public ChunkMeta seal(String handle, long version, long committedLength) {
    Sequencer seq = sequencers.computeIfAbsent(ChunkHandles.require(handle),
        h -> new Sequencer());
    synchronized (seq) {
      ChunkMeta meta = fence(handle, version);
      if (meta.committedLength() != committedLength) {
        throw new ChunkException(Code.INVALID_ARGUMENT, "cannot seal chunk " + handle + " at "
            + committedLength + ": replica is at " + meta.committedLength());
      }
      return store.seal(handle);
    }
  }

  public Optional<ChunkMeta> state(String handle) {
    return store.state(handle);
  }

  /** Forgets a chunk entirely (the master's DeleteChunk). */
  public void delete(String handle) {
    setVersionQuietlyDrop(handle);
    store.delete(handle);
    sequencers.remove(handle);
  }

  private void setVersionQuietlyDrop(String handle) {
    stages.entrySet().removeIf(e -> {
      if (e.getKey().handle().equals(handle)) {
        e.getValue().close();
        return true;
      }
      return false;
    });
  }
}
