package io.gfs.master.service;

import io.gfs.proto.BatchOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Group commit of the leader's writes. At most {@code maxInFlight} log entries are in Raft at
 * once; a command arriving while they are waits, and when one of them is answered everything
 * that waited meanwhile goes into the next entry together, as one {@link BatchOp}. Every entry
 * costs the three masters the same Raft work (append, replicate, fsync, commit, apply, reply)
 * whether it holds one command or a hundred, so under concurrent load that work is shared; a
 * lone client never waits (its command finds a free slot and goes at once, alone).
 * {@code maxInFlight <= 0} puts every command in its own entry as soon as it arrives.
 *
 * <p>{@code propose} puts one entry into Raft and completes with its result; it must not
 * complete on a Ratis thread (the next entry is proposed from its completion).
 */
final class WritePipeline {
  /** Commands of one entry at most; with the byte limit, keeps a batch far below Ratis's limits. */
  static final int MAX_BATCH_COMMANDS = 512;
  static final int MAX_BATCH_BYTES = 512 * 1024;

  private record Queued(MasterCommand command, CompletableFuture<MasterResult> result) {
  }

  private final int maxInFlight;
  private final Function<MasterCommand, CompletableFuture<MasterResult>> propose;
  private final LongSupplier clockMs;
  // Guarded by this. Not empty only while inFlight == maxInFlight.
  private final ArrayDeque<Queued> waiting = new ArrayDeque<>();
  private int inFlight;

  WritePipeline(int maxInFlight, Function<MasterCommand, CompletableFuture<MasterResult>> propose,
      LongSupplier clockMs) {
    this.maxInFlight = maxInFlight;
    this.propose = propose;
    this.clockMs = clockMs;
  }

  /** Completes {@code result} with the command's own result once its entry is applied. */
  void add(MasterCommand command, CompletableFuture<MasterResult> result) {
    Queued q = new Queued(command, result);
    if (maxInFlight > 0) {
      synchronized (this) {
        if (inFlight >= maxInFlight) {
          waiting.addLast(q);
          return;
        }
        inFlight++;
      }
    }
    propose(List.of(q));
  }

  private void propose(List<Queued> entry) {
    MasterCommand command = entry.size() == 1 ? entry.get(0).command()
        : MasterCommand.newBuilder()
            .setTimestampMs(clockMs.getAsLong())
            .setBatch(BatchOp.newBuilder().addAllCommands(
                entry.stream().map(Queued::command).toList()))
            .build();
    CompletableFuture<MasterResult> proposed;
    try {
      proposed = propose.apply(command);
    } catch (RuntimeException e) {
      proposed = CompletableFuture.failedFuture(e);
    }
    proposed.whenComplete((result, failure) -> {
      answer(entry, result, failure);
      entryDone();
    });
  }

  private static void answer(List<Queued> entry, MasterResult result, Throwable failure) {
    if (failure != null) {
      entry.forEach(q -> q.result().completeExceptionally(failure));
    } else if (entry.size() == 1) {
      entry.get(0).result().complete(result);
    } else if (result.getBatchCount() != entry.size()) {
      IllegalStateException e = new IllegalStateException("a batch of " + entry.size()
          + " commands answered with " + result.getBatchCount() + " results");
      entry.forEach(q -> q.result().completeExceptionally(e));
    } else {
      for (int i = 0; i < entry.size(); i++) {
        entry.get(i).result().complete(result.getBatch(i));
      }
    }
  }

  private void entryDone() {
    if (maxInFlight <= 0) {
      return;
    }
    List<Queued> next = new ArrayList<>();
    synchronized (this) {
      long bytes = 0;
      while (!waiting.isEmpty() && next.size() < MAX_BATCH_COMMANDS) {
        int size = waiting.peekFirst().command().getSerializedSize();
        if (!next.isEmpty() && bytes + size > MAX_BATCH_BYTES) {
          break;
        }
        bytes += size;
        next.add(waiting.removeFirst());
      }
      if (next.isEmpty()) {
        inFlight--;
        return;
      }
    }
    propose(next);
  }
}
