package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.dataplane.PeerStages;
import io.gfs.chunkserver.replication.ChunkErrors;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.CommitRequest;
import io.gfs.proto.CommitResponse;
import io.gfs.proto.MutationHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The commit phase of one ordered mutation (DESIGN §4 step 5): COMMIT goes to every READY
 * secondary and the primary commits on itself at the same time, so one commit (a data copy and
 * its fsyncs), not two in series, sits on the write's critical path.
 *
 * <p>Order is kept: a round starts only once the previous mutation is committed on the primary
 * (the {@link Assignment} chain), and every replica applies commits strictly in sequence order
 * (ReplicaEngine buffers a commit that arrives before its predecessor). The primary settles its
 * place in the chain as soon as its own commit is known, so the next round starts without waiting
 * for the secondaries. If its own commit fails, the COMMITs are already out, so some secondaries
 * may hold the mutation the primary lacks: the chunk is {@linkplain AbandonedLeases abandoned}
 * before the chain is told, so the rewound allocator of PrimaryChunk is never used again.
 *
 * <p>What the client sees for each interleaving of the commit phase (3 replicas, quorum 2; with
 * fewer replicas every one is needed). "Sent" means COMMIT went to every READY secondary before
 * the primary committed on itself.
 * <ul>
 *   <li>Primary commits, ≥1 secondary commits: success, answered as soon as the first secondary
 *       has committed (the write is then durable on a quorum); the client does not wait for the
 *       slowest replica's fsync. A secondary whose COMMIT fails or times out, before or after
 *       that answer, is reported stale (MISSED_COMMIT) and excluded for the rest of the lease.
 *   <li>Primary commits, every secondary fails or times out: QUORUM_FAILED, an unknown outcome to
 *       the SDK (a secondary may have applied it before its answer was lost). The secondaries are
 *       reported stale; the primary keeps the lease and the chain goes on from the mutation, which
 *       it holds.
 *   <li>Primary's own commit fails (whatever the secondaries did): QUORUM_FAILED (unknown outcome),
 *       never success, even if both secondaries committed. The chunk is abandoned
 *       ({@link AbandonedLeases}) before the chain learns of the failure, so no later mutation
 *       sends a COMMIT under this PrimaryChunk; mutations chained after it fail (not sent); the
 *       lease is dropped and at once claimed and recovered: ChunkRecovery adopts the highest
 *       committed state of a majority, so if a majority committed the mutation it is kept (at
 *       least once, as with any unknown outcome), otherwise it is dropped everywhere recovery
 *       reaches. A secondary that may hold it while the recovered chunk does not is reported stale
 *       and excluded before new writes are admitted. Secondaries are not reported stale for
 *       missing this commit: the primary is the faulty one and recovery compares real states.
 *   <li>Anything failing before COMMIT is sent (READY short of a quorum, a failed predecessor, an
 *       expired lease): a definite failure, nothing was committed anywhere, the allocator rewinds.
 * </ul>
 */
final class CommitRound {
  private static final Logger LOG = LogManager.getLogger(CommitRound.class);
  /** Codes with which a secondary answered that it did not apply the commit. */
  private static final Set<Code> NOT_APPLIED = Set.of(Code.NOT_FOUND, Code.INVALID_ARGUMENT,
      Code.STALE_VERSION, Code.OVERLOADED, Code.CHUNK_FULL);

  /**
   * How the round ended. {@code commits.get(i)} is the answer of {@code peers.get(i)}: settled
   * when the primary's commit failed or short of a quorum; after a success on a quorum, the
   * slowest secondaries' answers may still be in flight.
   */
  record Tally(boolean committedHere, Throwable localError, List<PeerStage> peers,
      List<CompletableFuture<CommitResponse>> commits) {

    /** Secondaries that hold the mutation or may (unknown outcome: timeout, broken call). */
    List<PeerStage> mayHoldMutation() {
      List<PeerStage> out = new ArrayList<>();
      for (int i = 0; i < peers.size(); i++) {
        CompletableFuture<CommitResponse> c = commits.get(i);
        if (RpcFutures.succeeded(c) || !NOT_APPLIED.contains(
            ChunkErrors.fromThrowable(c.handle((r, e) -> e).join()).code())) {
          out.add(peers.get(i));
        }
      }
      return out;
    }
  }

  private final PrimaryContext ctx;
  private final CommitFaults faults;
  private final AbandonedLeases abandoned;

  CommitRound(PrimaryContext ctx, CommitFaults faults, AbandonedLeases abandoned) {
    this.ctx = ctx;
    this.faults = faults;
    this.abandoned = abandoned;
  }

  /**
   * Commits {@code m} everywhere; runs on the I/O pool. Completes (never exceptionally) once the
   * primary and a quorum have committed, or else once every replica's outcome is known and, if
   * the primary's own commit failed, the chunk is recovered (or a bounded wait for that passed).
   */
  CompletableFuture<Tally> run(PrimaryChunk chunk, Assignment a, Mutation m,
      List<PeerStage> ready) {
    return faults.beforeCommits(m).thenCompose(v -> {
      CommitRequest req = CommitRequest.newBuilder().setMutation(m.toProto()).build();
      List<CompletableFuture<CommitResponse>> commits = ready.stream()
          .map(s -> commitOn(s, req)).toList();
      // The RPCs above are asynchronous: the secondaries copy and fsync while this thread does.
      return commitHereAndDecide(chunk, a, m, ready, commits);
    });
  }

  /**
   * The round of a mutation whose stages all {@linkplain PeerStage#commitsBeforeReady take the
   * COMMIT before READY}: the COMMITs go out at once, right behind the data, and each secondary
   * applies its own as soon as its stage is complete, so the write costs one round trip between
   * the replicas instead of two. The primary still commits on itself only after READY from a
   * quorum (on the I/O pool), so a mutation that reached too few replicas is never committed
   * here, as in {@link #run}.
   *
   * <p>What changes is the case where READY falls short of a quorum (or a replica says this
   * primary was deposed): the COMMITs are already out, so once every secondary has answered, a
   * mutation that no secondary applied is a definite failure as before ({@code notCommitted},
   * the allocator rewinds); one that a secondary did or may have applied is handled like a failed
   * local commit: the chunk is abandoned and recovered before the client hears QUORUM_FAILED.
   * A deposed primary only drops its lease and fails with {@code notCommitted} (STALE_VERSION):
   * the newer primary owns the chunk.
   *
   * @param decide called on the I/O pool once READY is known from a quorum or from every stage:
   *     null to commit here, else the error to fail with (a deposed primary's, or a quorum's)
   */
  CompletableFuture<Tally> runEarly(PrimaryChunk chunk, Assignment a, Mutation m,
      List<PeerStage> stages, Function<List<PeerStage>, ChunkException> decide) {
    return faults.beforeCommits(m).thenCompose(x -> {
      MutationHeader ordered = m.toProto();
      long deadlineMs = ctx.settings().replicaDeadline().toMillis();
      List<CompletableFuture<CommitResponse>> commits = stages.stream().map(s -> {
        ctx.metrics().commitsInFlight.inc();
        ctx.metrics().commitsOverDataPlane.inc();
        ctx.metrics().commitsBeforeReady.inc();
        return answerOf(s.peer, s.commitBeforeReady(ordered, deadlineMs));
      }).toList();
      return afterEarlyCommits(chunk, a, m, stages, decide, commits);
    });
  }

  private CompletableFuture<Tally> afterEarlyCommits(PrimaryChunk chunk, Assignment a,
      Mutation m, List<PeerStage> stages, Function<List<PeerStage>, ChunkException> decide,
      List<CompletableFuture<CommitResponse>> commits) {
    return RpcFutures.succeededOrSettled(stages.stream().map(s -> s.ready).toList(),
        chunk.quorum() - 1).thenComposeAsync(v -> {
          ChunkException refused = decide.apply(stages);
          if (refused == null) {
            return commitHereAndDecide(chunk, a, m, stages, commits);
          }
          return RpcFutures.settled(commits).thenComposeAsync(x -> notCommitted(chunk, a, m,
              new Tally(false, refused, stages, commits), refused.code() == Code.STALE_VERSION),
              ctx.io());
        }, ctx.io());
  }

  /** {@link #runEarly} without a commit here; every secondary has answered. Fails always. */
  private CompletableFuture<Tally> notCommitted(PrimaryChunk chunk, Assignment a, Mutation m,
      Tally t, boolean deposed) {
    List<PeerStage> mayHold = t.mayHoldMutation();
    if (mayHold.isEmpty() || deposed) {
      chunk.finished(a, false);
      return CompletableFuture.failedFuture(t.localError());
    }
    ChunkException unknown = new ChunkException(Code.QUORUM_FAILED, "chunk " + chunk.handle
        + " mutation " + m.sequence() + " not committed on the primary but maybe on "
        + mayHold.size() + " secondaries; the write may or may not be kept: "
        + t.localError().getMessage());
    try {
      abandoned.abandon(chunk, m, unknown);
    } finally {
      chunk.finished(a, false);
    }
    return abandoned.recover(chunk, m, mayHold) // completes normally, see recover
        .thenCompose(v -> CompletableFuture.failedFuture(unknown));
  }

  /**
   * Commits {@code m} on the primary while the COMMITs already sent to {@code peers} are answered
   * ({@code commits.get(i)} being {@code peers.get(i)}'s); runs on the I/O pool.
   */
  private CompletableFuture<Tally> commitHereAndDecide(PrimaryChunk chunk, Assignment a,
      Mutation m, List<PeerStage> peers, List<CompletableFuture<CommitResponse>> commits) {
    CompletableFuture<ChunkMeta> here;
    try {
      here = faults.commitLocally(m, ctx.engine()::commit);
    } catch (RuntimeException e) {
      here = CompletableFuture.failedFuture(e);
    }
    // A success settles inline (the allocator's lock only): the next mutation's round can start
    // without a thread hand-off. A failure goes to the I/O pool (it drops the lease, logs).
    CompletableFuture<Throwable> settledHere = here.handle((meta, err) -> err)
        .thenCompose(err -> {
          if (err == null) {
            chunk.finished(a, true);
            return CompletableFuture.completedFuture(null);
          }
          return CompletableFuture.supplyAsync(() -> {
            // first fence the chunk, then let the chain see the failure (which may rewind it)
            try {
              abandoned.abandon(chunk, m, err);
            } catch (RuntimeException e) {
              err.addSuppressed(e); // the mark is set first thing; the failure must be told
            } finally {
              chunk.finished(a, false);
            }
            return err;
          }, ctx.io());
        });
    return decided(settledHere, commits, chunk.quorum() - 1).thenCompose(x -> {
      Throwable localError = settledHere.join();
      Tally t = new Tally(localError == null, localError, peers, commits);
      if (localError == null) {
        return CompletableFuture.completedFuture(t);
      }
      // every secondary's outcome is known now: recover before the client hears of the failure,
      // so its retry finds the recovered chunk
      return CompletableFuture.supplyAsync(() -> t, ctx.io())
          .thenCompose(tally -> abandoned.recover(chunk, m, tally.mayHoldMutation()))
          .thenApply(v -> t);
    });
  }

  /**
   * Completes once the primary's own outcome is known and then, if it committed, as soon as
   * {@code needed} secondaries have committed too (the write is durable on a quorum: the client
   * need not wait for the slowest replica's fsync), or else once every secondary has answered.
   * A failed local commit always waits for every answer: recovery needs them all.
   */
  private static CompletableFuture<Void> decided(CompletableFuture<Throwable> here,
      List<CompletableFuture<CommitResponse>> commits, int needed) {
    CompletableFuture<Void> quorum = RpcFutures.succeededOrSettled(commits, needed);
    return here.thenCompose(err -> err == null ? quorum : RpcFutures.settled(commits));
  }

  /**
   * Sends COMMIT to one secondary: over its data plane when it takes commits there, else (or
   * when the data plane could not carry it, see {@link PeerStages.CommitNotCarried}) over gRPC.
   * Sending again is safe: a replica applies a sequence once and answers a repeat with success.
   */
  private CompletableFuture<CommitResponse> commitOn(PeerStage s, CommitRequest req) {
    ctx.metrics().commitsInFlight.inc();
    ChunkLocation peer = s.peer;
    long deadlineMs = ctx.settings().replicaDeadline().toMillis();
    CompletableFuture<CommitResponse> sent;
    if (ctx.stages().takesCommits(peer.getHost(), peer.getDataPort())) {
      ctx.metrics().commitsOverDataPlane.inc();
      sent = ctx.stages().commit(peer.getHost(), peer.getDataPort(), req.getMutation(), deadlineMs)
          .exceptionallyCompose(e -> { // the exception itself: commit() completes it directly
            if (!(e instanceof PeerStages.CommitNotCarried)) {
              return CompletableFuture.failedFuture(e);
            }
            LOG.debug("{} COMMIT not carried by the data plane, sending it over gRPC peer={}"
                + " reason={}", ctx.nodeId(), peer.getServerId(), e.getMessage());
            return grpcCommit(peer, req, deadlineMs);
          });
    } else {
      sent = grpcCommit(peer, req, deadlineMs);
    }
    return answerOf(peer, sent);
  }

  /** A sent COMMIT's answer as the round sees it, counted out of in_flight before it does. */
  private CompletableFuture<CommitResponse> answerOf(ChunkLocation peer,
      CompletableFuture<CommitResponse> sent) {
    return faults.answerFrom(peer, sent)
        .whenComplete((r, e) -> ctx.metrics().commitsInFlight.dec());
  }

  private CompletableFuture<CommitResponse> grpcCommit(ChunkLocation peer, CommitRequest req,
      long deadlineMs) {
    ctx.metrics().commitsOverGrpc.inc();
    return RpcFutures.unary(obs -> ctx.peers().stub(peer.getHost(), peer.getReplicationPort())
        .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).commit(req, obs));
  }
}
