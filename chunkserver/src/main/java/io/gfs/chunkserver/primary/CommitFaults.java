package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.replication.Mutation;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.CommitResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Fault hooks around the commit phase of a mutation on the primary, so tests can drive the
 * interleavings of the parallel commit (a failing local disk, a secondary losing its stage).
 * Production uses {@link #NONE}.
 */
interface CommitFaults {
  CommitFaults NONE = new CommitFaults() {};

  /**
   * Runs once the mutation is ordered, before any COMMIT is sent: after READY from a quorum, or,
   * when the COMMITs go right behind the data (CommitRound.runEarly), possibly before a secondary
   * has even begun its stage. The COMMITs go out once the returned future completes; it may be
   * called on an event loop, so a hook that blocks must do so on a thread of its own.
   */
  default CompletableFuture<Void> beforeCommits(Mutation m) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * The primary's own commit of {@code m}; runs after the COMMITs to the secondaries were sent.
   * {@code commit} is the real one.
   */
  default CompletableFuture<ChunkMeta> commitLocally(Mutation m,
      Function<Mutation, CompletableFuture<ChunkMeta>> commit) {
    return commit.apply(m);
  }

  /** The answer to the COMMIT sent to {@code peer}, as the round sees it; {@code sent} is real. */
  default CompletableFuture<CommitResponse> answerFrom(ChunkLocation peer,
      CompletableFuture<CommitResponse> sent) {
    return sent;
  }
}
