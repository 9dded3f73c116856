package io.gfs.client.internal;

import io.gfs.client.GfsUnavailableException;
import io.gfs.proto.ChunkInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The final length of a chunk that is followed by another one but that the master does not yet
 * know as sealed. Every later chunk's file offset depends on it, so a lower bound (the master's
 * last report) would shift them: appends would acknowledge offsets where their records are not.
 * A commit reaches at least 2 of the 3 replicas, so the largest length among 2 answers is the
 * committed one.
 */
final class ChunkLengths {
  private static final int QUORUM = 2;

  private ChunkLengths() {
  }

  /** The committed length, or GfsUnavailableException when too few replicas answer. */
  static long ofFollowedChunk(ChunkIo io, ChunkInfo chunk, Duration timeout) {
    if (chunk.getSealed()) {
      return chunk.getCommittedLength();
    }
    List<HostPorts.HostPort> replicas = ChunkLayout.replicas(chunk);
    if (replicas.isEmpty()) {
      throw NoReplicasKnownException.lengthOf(chunk);
    }
    List<CompletableFuture<Long>> asks = new ArrayList<>();
    for (HostPorts.HostPort r : replicas) {
      asks.add(io.committedLength(r, ChunkLayout.handle(chunk), chunk.getVersion()));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    long max = chunk.getCommittedLength();
    int answers = 0;
    for (CompletableFuture<Long> ask : asks) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        max = Math.max(max, ask.get(left, TimeUnit.NANOSECONDS));
        answers++;
      } catch (ExecutionException | TimeoutException e) {
        // counted as no answer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GfsUnavailableException("interrupted", e);
      }
    }
    if (answers < Math.min(QUORUM, replicas.size())) {
      throw new GfsUnavailableException("chunk " + chunk.getIndex() + " (" + chunk.getHandle()
          + ") is not sealed at the master and only " + answers + " of " + replicas.size()
          + " replicas told its length; the offsets after it are unknown");
    }
    return max;
  }
}
