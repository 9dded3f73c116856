package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.proto.ChunkLocation;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This server's primary role for one chunk under one lease (one chunk version): the offset and
 * sequence allocator and the set of replicas excluded for missing a commit.
 *
 * <p>The allocator starts at the recovered committed length and sequence (never at 0, LESSONS
 * #5). Mutations are chained: each is committed on the primary only after its predecessor; when
 * one fails before committing, all later in-flight ones fail too (their offsets assumed it), and
 * once none is in flight the allocator rewinds to the primary's committed state.
 */
final class PrimaryChunk {
  final String handle;
  final long version;
  final List<ChunkLocation> secondaries; // every other replica the master listed
  final Set<String> excluded = ConcurrentHashMap.newKeySet(); // server ids that missed a commit
  final AtomicBoolean renewing = new AtomicBoolean();
  private volatile long leaseExpiryMs; // the master leader's wall clock

  // guarded by this
  private long nextOffset;
  private long tailSequence;
  private long sequenceCounter;
  private long committedLength;
  private long committedSequence;
  private CompletableFuture<Boolean> last = CompletableFuture.completedFuture(true);
  private int inFlight;
  private boolean rewindPending;
  private boolean sealed;
  private boolean retired;

  PrimaryChunk(String handle, long version, List<ChunkLocation> secondaries, long leaseExpiryMs,
      long committedLength, long committedSequence, boolean sealed) {
    this.handle = handle;
    this.version = version;
    this.secondaries = List.copyOf(secondaries);
    this.leaseExpiryMs = leaseExpiryMs;
    this.nextOffset = committedLength;
    this.committedLength = committedLength;
    this.tailSequence = committedSequence;
    this.committedSequence = committedSequence;
    this.sequenceCounter = committedSequence;
    this.sealed = sealed;
  }

  long leaseExpiryMs() {
    return leaseExpiryMs;
  }

  void extendLease(long expiryMs) {
    leaseExpiryMs = Math.max(leaseExpiryMs, expiryMs);
  }

  /** Replicas a write must reach: 2 of 3 (a majority), or all when fewer than 3 exist. */
  int quorum() {
    int n = 1 + secondaries.size();
    return n >= 3 ? n / 2 + 1 : n;
  }

  /**
   * Assigns a mutation. offset = -1 is a record append. Throws CHUNK_FULL (after sealing) for an
   * append that does not fit, INVALID_ARGUMENT for a write not at the end of the chunk.
   */
  synchronized Assignment assign(long offset, long length, long chunkSizeBytes) {
    if (retired) {
      throw new ChunkException(Code.STALE_VERSION, "chunk " + handle + " is moving to a new"
          + " version (a replica is rejoining); refresh the chunk's version and retry");
    }
    if (sealed) {
      throw new ChunkException(Code.CHUNK_FULL, "chunk " + handle + " is sealed");
    }
    if (rewindPending) {
      throw new ChunkException(Code.QUORUM_FAILED,
          "an earlier mutation of chunk " + handle + " failed; retry");
    }
    if (offset < 0 && nextOffset + length > chunkSizeBytes) {
      sealed = true;
      throw new ChunkException(Code.CHUNK_FULL, "record of " + length
          + " bytes does not fit in chunk " + handle + " at " + nextOffset);
    }
    if (offset >= 0 && offset != nextOffset) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "write offset " + offset
          + " is not the end " + nextOffset + " of chunk " + handle);
    }
    Assignment a = new Assignment(++sequenceCounter, tailSequence, nextOffset, length, last,
        new CompletableFuture<>());
    tailSequence = a.sequence();
    nextOffset += length;
    last = a.self();
    inFlight++;
    return a;
  }

  /** Settles a mutation: committed on the primary or never will be. Idempotent per assignment. */
  void finished(Assignment a, boolean committedHere) {
    synchronized (this) {
      if (a.self().isDone()) {
        return;
      }
      inFlight--;
      if (committedHere) {
        committedLength = Math.max(committedLength, a.offset() + a.length());
        committedSequence = Math.max(committedSequence, a.sequence());
      } else {
        rewindPending = true;
      }
      if (inFlight == 0 && rewindPending) {
        nextOffset = committedLength;
        tailSequence = committedSequence;
        last = CompletableFuture.completedFuture(true); // the failed tail is forgotten
        rewindPending = false;
      }
    }
    a.self().complete(committedHere);
  }

  /**
   * Takes no more mutations under this lease version; those already assigned still settle
   * ({@link #drained}). Used before this primary re-claims the chunk at a new version.
   */
  synchronized void retire() {
    retired = true;
  }

  synchronized boolean sealed() {
    return sealed;
  }

  /** Completes when every assigned mutation has settled (used before sealing on disk). */
  synchronized CompletableFuture<Boolean> drained() {
    return last;
  }

  synchronized long committedLength() {
    return committedLength;
  }
}
