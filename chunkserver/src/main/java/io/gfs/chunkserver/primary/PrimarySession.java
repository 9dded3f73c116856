package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteSession;
import io.gfs.chunkserver.replication.ChunkErrors;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.chunkserver.storage.StageFile;
import io.gfs.proto.AbortRequest;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.CommitResponse;
import io.gfs.proto.MutationHeader;
import io.gfs.proto.ReplicaProblem;
import io.gfs.proto.SealRequest;
import io.gfs.proto.SealResponse;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One mutation on the primary (DESIGN §4 steps 3–5): stage locally and stream to the secondaries
 * while the client's bytes arrive, wait for READY from a quorum, commit in sequence order on the
 * primary and on the secondaries at the same time ({@link CommitRound}), and succeed once a quorum
 * has committed durably, the primary included. When every secondary takes it, the COMMITs go out
 * right behind the data, before READY ({@link CommitRound#runEarly}): the secondaries apply as
 * soon as their stages are complete, and the primary commits once READY came from a quorum.
 *
 * <p>What the client sees and what recovery does for each interleaving of the commit phase:
 * see {@link CommitRound}.
 *
 * <p>Threads: onData/finish/abort come from the data plane in order; all work runs on one serial
 * chain ({@code tail}) of tasks, so the stage fields are written by one task at a time and
 * published through the chain. Steps that block (disk I/O) run on the I/O pool; the others run
 * on the thread that reaches them, when the chain is idle, to spare a thread hand-off.
 */
final class PrimarySession implements WriteSession {
  private static final Logger LOG = LogManager.getLogger(PrimarySession.class);

  private final PrimaryContext ctx;
  private final String handle;
  private final long version;
  private final long requestedOffset;
  private final long length;
  private final int crc32c;
  private final CompletableFuture<WriteOutcome> outcome = new CompletableFuture<>();
  private CompletableFuture<Void> tail; // data-plane thread only
  private long received; // data-plane thread only
  private boolean finishCalled; // data-plane thread only
  private volatile ChunkException failure;
  private volatile PrimaryChunk chunk;
  private volatile Assignment assignment;
  private volatile Mutation staged;
  private volatile Mutation mutation;
  private volatile StageFile local;
  private volatile List<PeerStage> stages = List.of();
  private volatile boolean committedHere;
  private final AbandonedLeases abandoned;
  private final CommitRound round;
  private final long startedNanos = System.nanoTime();

  PrimarySession(PrimaryContext ctx, AbandonedLeases abandoned, CommitFaults faults,
      String handle, long version, long offset, long length, int crc32c) {
    this.ctx = ctx;
    this.abandoned = abandoned;
    this.round = new CommitRound(ctx, faults, abandoned);
    this.handle = handle;
    this.version = version;
    this.requestedOffset = offset;
    this.length = length;
    this.crc32c = crc32c;
    // after a failed local commit, new writes wait until the chunk is recovered and fenced
    CompletableFuture<PrimaryChunk> claimed = abandoned.gate(handle)
        .thenCompose(v -> ctx.leases().acquire(handle, version));
    // The usual case, a lease already held: set up on the calling thread (the data plane's
    // operation pool, already off the event loop) instead of paying a hand-off per write. A
    // claim still in flight completes on a master-callback thread, so the setup (file I/O)
    // then moves to the I/O pool.
    this.tail = claimed.isDone() ? claimed.handle(this::afterClaim)
        : claimed.handleAsync(this::afterClaim, ctx.io());
  }

  private Void afterClaim(PrimaryChunk pc, Throwable err) {
    if (err != null) {
      fail(err);
    } else {
      guarded(() -> setup(pc));
    }
    return null;
  }

  private void setup(PrimaryChunk pc) {
    chunk = pc;
    if (version != pc.version) {
      throw new ChunkException(Code.STALE_VERSION, "write for version " + version
          + " but the lease of chunk " + handle + " is at version " + pc.version);
    }
    if (!ctx.leases().valid(pc)) {
      throw new ChunkException(Code.NOT_PRIMARY, "lease of chunk " + handle + " has expired");
    }
    if (abandoned.contains(pc) || abandoned.recovering(handle)) {
      throw new ChunkException(Code.NOT_PRIMARY, "primary role for chunk " + handle
          + " given up after a failed commit; retry");
    }
    if (pc.sealed()) {
      throw new ChunkException(Code.CHUNK_FULL, "chunk " + handle + " is sealed");
    }
    // The place in the chunk is chosen only once the data is READY (see finish), so a slow
    // client never holds up the mutations of the clients behind it.
    Mutation m = Mutation.staged(handle, version, ctx.nodeId(), length, crc32c,
        ctx.stageIds().incrementAndGet(), Math.max(-1, requestedOffset));
    staged = m;
    local = ctx.engine().beginStage(m);
    List<PeerStage> opened = new ArrayList<>();
    long deadlineMs = ctx.settings().replicaDeadline().toMillis();
    MutationHeader header = m.toProto();
    List<ChunkLocation> targets = pc.secondaries.stream()
        .filter(peer -> !pc.excluded.contains(peer.getServerId())).toList();
    // The COMMIT goes behind the data only when every secondary takes it so (CommitRound)
    boolean early = !targets.isEmpty() && targets.stream().allMatch(peer ->
        ctx.stages().takesCommitsBeforeReady(peer.getHost(), peer.getDataPort()));
    for (ChunkLocation peer : targets) {
      // not asked again when early: the answer may change meanwhile (a peer suspected), and
      // every stage of an early mutation must be able to carry its COMMIT
      if (early || ctx.stages().takesStages(peer.getHost(), peer.getDataPort())) {
        opened.add(new DataPlanePeerStage(peer, ctx.stages().open(peer.getHost(),
            peer.getDataPort(), header, deadlineMs, early), early));
        ctx.metrics().stagesOverDataPlane.inc();
      } else {
        ctx.metrics().stagesOverGrpc.inc();
        opened.add(new GrpcPeerStage(peer, ctx.peers().stub(peer.getHost(),
            peer.getReplicationPort()), m, deadlineMs));
      }
    }
    stages = List.copyOf(opened);
  }

  private void sealWhenDrained(PrimaryChunk pc) {
    pc.drained().whenCompleteAsync((v, e) -> {
      if (abandoned.contains(pc)) {
        // the secondaries may be ahead of this replica: the next primary seals what it recovers
        LOG.info("{} not sealing an abandoned chunk chunk={}", ctx.nodeId(), handle);
        return;
      }
      try {
        long len = ctx.engine().store().seal(handle).committedLength();
        LOG.info("{} chunk sealed chunk={} version={} length={}", ctx.nodeId(), handle,
            pc.version, len);
        ctx.reporter().committed(handle, pc.version, len, true);
        SealRequest req = SealRequest.newBuilder().setHandle(handle).setVersion(pc.version)
            .setPrimaryId(ctx.nodeId()).setCommittedLength(len).build();
        for (ChunkLocation peer : pc.secondaries) {
          if (!pc.excluded.contains(peer.getServerId())) {
            // best effort: the master holds the sealed length, recovery re-seals
            RpcFutures.<SealResponse>unary(obs -> ctx.peers()
                .stub(peer.getHost(), peer.getReplicationPort())
                .withDeadlineAfter(ctx.settings().replicaDeadline().toMillis(),
                    TimeUnit.MILLISECONDS).seal(req, obs));
          }
        }
      } catch (RuntimeException ex) {
        LOG.warn("{} sealing failed chunk={} error={}", ctx.nodeId(), handle, ex.toString());
      }
    }, ctx.io());
  }

  @Override
  public CompletionStage<Void> onData(ByteBuf piece) {
    received += piece.readableBytes();
    boolean tooMuch = received > length;
    // The received buffer itself goes to the local stage and to every secondary (no copy of
    // ours: a data-plane peer sends it as it is); it is released once all have it.
    Runnable step = () -> {
      try {
        guarded(() -> {
          if (tooMuch) {
            throw new ChunkException(Code.INVALID_ARGUMENT, "more data than the declared length "
                + length);
          }
          for (ByteBuffer b : piece.nioBuffers()) {
            local.write(b);
          }
          for (PeerStage s : stages) {
            s.send(piece.retainedDuplicate());
          }
        });
      } finally {
        piece.release();
      }
    };
    StageFile stage = tail.isDone() ? local : null;
    if (tail.isDone() && (failure != null || (stage != null && stage.isInMemory()))) {
      // Set up, and the stage is in memory: the step is a copy and sends to the secondaries,
      // none of which blocks, so it runs here (in order: the chain is idle) rather than after a hand-off.
      step.run();
    } else {
      tail = tail.thenRunAsync(step, ctx.io()); // a file stage writes to disk
    }
    return tail.thenCompose(v -> failure != null ? CompletableFuture.completedFuture(null)
        : CompletableFuture.allOf(stages.stream().map(this::writableOrDropped)
            .toArray(CompletableFuture[]::new)));
  }

  /**
   * Waits for a secondary to take more data, but not for long: one that stalls is dropped from
   * this mutation (it then misses the commit), so it cannot spend the other replicas' deadlines.
   */
  private CompletableFuture<Void> writableOrDropped(PeerStage s) {
    CompletableFuture<Void> w = s.writable();
    if (w.isDone()) {
      return w;
    }
    long stallMs = Math.max(1, ctx.settings().replicaDeadline().toMillis() / 4);
    ScheduledFuture<?> timeout = ctx.timer().schedule(() -> {
      if (!w.isDone()) {
        LOG.debug("{} replica stalled, dropping it from the mutation chunk={} replica={}",
            ctx.nodeId(), handle, s.peer.getServerId());
        s.cancel("replica too slow to take data");
        w.complete(null);
      }
    }, stallMs, TimeUnit.MILLISECONDS);
    return w.whenComplete((v, e) -> timeout.cancel(false));
  }

  /** Runs a step unless the session already failed; turns its exception into the failure. */
  private void guarded(Runnable step) {
    if (failure != null) {
      return;
    }
    try {
      step.run();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void fail(Throwable t) {
    if (failure == null) {
      failure = ChunkErrors.fromThrowable(t);
    }
  }

  private <T> CompletableFuture<T> checkFailure(T value) {
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    return CompletableFuture.completedFuture(value);
  }

  @Override
  public CompletionStage<WriteOutcome> finish() {
    if (finishCalled) {
      return outcome;
    }
    finishCalled = true;
    long got = received;
    // Steps hop to the I/O pool only where they touch the disk (the commit). The others are
    // short and non-blocking (checks, gRPC half-closes, the allocator's lock), so they run on
    // whichever thread completed the step before: each hand-off costs a thread wake-up, which
    // on a busy machine is a large part of a small write's latency.
    CompletableFuture<Void> sent = tail.thenCompose(v -> {
      guarded(() -> {
        if (got != length) {
          throw new ChunkException(Code.INVALID_ARGUMENT, "received " + got + " of " + length
              + " declared bytes");
        }
        // The secondaries verify their stages while this one does (a stage is not fsynced: the
        // commit fsyncs the chunk file, see StageFile). Nothing commits here before READY from
        // a quorum, and a local failure here aborts the secondaries' stages as before.
        stages.forEach(PeerStage::finish);
        local.complete(); // length and CRC32C
      });
      return checkFailure(null);
    });
    // decided once set up (the stages exist only then)
    CompletableFuture<CommitRound.Tally> committed = sent.thenCompose(v ->
        stages.stream().anyMatch(PeerStage::commitsBeforeReady) ? commitBeforeReady()
            : commitAfterReady());
    committed.thenApply(tally -> {
      if (!tally.committedHere()) {
        throw new ChunkException(Code.QUORUM_FAILED, "chunk " + handle + " mutation "
            + mutation.sequence() + ": the primary's own commit failed after COMMIT was sent;"
            + " the write may or may not be kept: " + tally.localError());
      }
      committedHere = true;
      return quorumOutcome(tally);
    }).whenComplete((o, err) -> {
      if (err != null) {
        CompletableFuture.runAsync(() -> { // cleaning up closes and deletes stage files
          try {
            cleanUp();
          } finally {
            ctx.metrics().failed.inc();
            outcome.completeExceptionally(ChunkErrors.fromThrowable(err));
          }
        }, ctx.io());
      } else {
        ctx.metrics().committed.inc();
        ctx.metrics().committedBytes.inc(length);
        ctx.metrics().latency.update(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        outcome.complete(o);
      }
    });
    return outcome;
  }

  /** The COMMITs right behind the data, the mutation ordered now (CommitRound.runEarly). */
  private CompletableFuture<CommitRound.Tally> commitBeforeReady() {
    return order().thenCompose(predecessorCommitted -> {
      checkBeforeCommits(predecessorCommitted);
      return round.runEarly(chunk, assignment, mutation, stages, this::refusal);
    });
  }

  /** READY from every stage (or its failure) first, then order and commit (CommitRound.run). */
  private CompletableFuture<CommitRound.Tally> commitAfterReady() {
    return RpcFutures.settled(stages.stream().map(s -> s.ready).toList()).thenCompose(v -> {
      List<PeerStage> ready = readyStages();
      ChunkException refused = refusal(stages);
      if (refused != null) {
        throw refused;
      }
      return order().thenComposeAsync(predecessorCommitted -> {
        checkBeforeCommits(predecessorCommitted);
        return round.run(chunk, assignment, mutation, ready);
      }, ctx.io());
    });
  }

  private List<PeerStage> readyStages() {
    return stages.stream().filter(s -> RpcFutures.succeeded(s.ready)).toList();
  }

  /**
   * Why this primary must not commit, from the READY answers so far, or null: a replica that has
   * seen a newer version (a newer primary exists: the lease is dropped), or READY short of a
   * quorum.
   */
  private ChunkException refusal(List<PeerStage> answered) {
    for (PeerStage s : answered) {
      ChunkException e = s.ready.isCompletedExceptionally()
          ? ChunkErrors.fromThrowable(s.ready.handle((r, err) -> err).join()) : null;
      if (e != null && e.code() == Code.STALE_VERSION) {
        ctx.leases().drop(chunk);
        LOG.info("{} deposed as primary chunk={} version={} replica={}", ctx.nodeId(), handle,
            version, s.peer.getServerId());
        return new ChunkException(Code.STALE_VERSION, "replica " + s.peer.getServerId()
            + " has a newer version of chunk " + handle + ": " + e.getMessage());
      }
    }
    int ready = 1 + readyStages().size();
    if (ready < chunk.quorum()) {
      return new ChunkException(Code.QUORUM_FAILED, "chunk " + handle + " stage "
          + staged.stageId() + " READY on " + ready + " of " + chunk.quorum()
          + " needed replicas");
    }
    return null;
  }

  /** Gives the mutation its place in the chunk; completes when its predecessor is settled. */
  private CompletableFuture<Boolean> order() {
    Assignment a;
    try {
      a = chunk.assign(requestedOffset, length, ctx.chunkSizeBytes().getAsLong());
    } catch (ChunkException e) {
      if (e.code() == Code.CHUNK_FULL) {
        sealWhenDrained(chunk);
      }
      throw e;
    }
    assignment = a;
    mutation = staged.ordered(a.sequence(), a.prevSequence(), a.offset());
    return a.predecessor();
  }

  /** The last checks before any COMMIT goes out. */
  private void checkBeforeCommits(boolean predecessorCommitted) {
    if (!predecessorCommitted) {
      throw new ChunkException(Code.QUORUM_FAILED, "an earlier mutation of chunk " + handle
          + " failed; retry");
    }
    if (failure != null) {
      throw failure;
    }
    // checked after assign: the abandoning session marks the chunk before its failure can
    // rewind the allocator, so a mutation placed by a rewound allocator always sees the mark
    if (abandoned.contains(chunk)) {
      throw new ChunkException(Code.NOT_PRIMARY, "primary role for chunk " + handle
          + " given up after a failed commit; retry");
    }
    if (!ctx.leases().valid(chunk)) {
      throw new ChunkException(Code.NOT_PRIMARY, "lease of chunk " + handle + " expired");
    }
  }

  /** Committed here: success once a quorum, the primary included, has committed durably. */
  private WriteOutcome quorumOutcome(CommitRound.Tally tally) {
    int ok = 1;
    List<PeerStage> ready = tally.peers();
    for (int i = 0; i < ready.size(); i++) {
      CompletableFuture<CommitResponse> c = tally.commits().get(i);
      ChunkLocation peer = ready.get(i).peer;
      if (RpcFutures.succeeded(c)) {
        ok++;
      } else if (c.isDone()) {
        missedCommit(peer, c.handle((r, e) -> e).join());
      } else { // still in flight after a quorum committed: reported if it fails
        c.whenComplete((r, e) -> {
          if (e != null) {
            missedCommit(peer, e);
          }
        });
      }
    }
    for (PeerStage s : stages) {
      if (!ready.contains(s)) {
        missedCommit(s.peer, s.ready.handle((r, e) -> e).join());
      }
    }
    ctx.reporter().committed(handle, version, mutation.offset() + length, false);
    if (ok < chunk.quorum()) {
      throw new ChunkException(Code.QUORUM_FAILED, "chunk " + handle + " mutation "
          + mutation.sequence() + " committed on " + ok + " of " + chunk.quorum()
          + " needed replicas");
    }
    return new WriteOutcome(mutation.offset(), mutation.offset() + length);
  }

  private void missedCommit(ChunkLocation peer, Throwable why) {
    if (!chunk.excluded.add(peer.getServerId())) {
      return;
    }
    ctx.metrics().missedCommits.inc();
    LOG.warn("{} replica missed a commit, reporting stale chunk={} version={} replica={}"
        + " error={}", ctx.nodeId(), handle, version, peer.getServerId(), String.valueOf(why));
    ctx.master().reportReplicaProblem(handle, version, peer.getServerId(),
        ReplicaProblem.MISSED_COMMIT, "missed commit of mutation " + mutation.sequence() + ": "
            + why);
  }

  /** After a failure: drop staged data everywhere and release the mutation's place in line. */
  private void cleanUp() {
    Mutation m = staged;
    for (PeerStage s : stages) {
      s.cancel("mutation aborted");
      if (m != null) {
        AbortRequest req = AbortRequest.newBuilder().setHandle(handle).setVersion(version)
            .setPrimaryId(ctx.nodeId()).setStageId(m.stageId()).build();
        RpcFutures.<io.gfs.proto.AbortResponse>unary(obs -> ctx.peers()
            .stub(s.peer.getHost(), s.peer.getReplicationPort())
            .withDeadlineAfter(ctx.settings().replicaDeadline().toMillis(),
                TimeUnit.MILLISECONDS).abort(req, obs));
      }
    }
    if (m != null && !committedHere) {
      ctx.engine().abort(handle, version, m.stageId());
    }
    Assignment a = assignment;
    if (a != null && !committedHere) {
      chunk.finished(a, false);
    }
  }

  @Override
  public void abort(String reason) {
    if (outcome.isDone() || failure != null) {
      return;
    }
    fail(new ChunkException(Code.INVALID_ARGUMENT, "write aborted: " + reason));
    if (!finishCalled) {
      finishCalled = true;
      tail.whenCompleteAsync((v, e) -> {
        cleanUp();
        outcome.completeExceptionally(failure);
      }, ctx.io());
    }
  }
}
