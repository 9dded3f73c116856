package io.gfs.chunkserver.primary;

import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.failure;
import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.get;
import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.chunkserver.replication.PeerChannels;
import io.gfs.chunkserver.replication.ReplicaEngine;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.chunkserver.testing.TestCluster;
import io.gfs.proto.AbortRequest;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.CommitResponse;
import io.gfs.proto.ReplicaProblem;
import io.gfs.proto.ReplicationServiceGrpc.ReplicationServiceBlockingStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The primary commits on itself and on the secondaries in parallel (CommitRound): order, quorum
 * and the failure of the primary's own commit after COMMIT went out, with real chunkservers.
 */
class ParallelCommitTest {
  private static final long CHUNK = 4 << 20;
  @TempDir Path dir;
  private TestCluster cluster;
  private final String handle = UUID.randomUUID().toString();
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(
      r -> new Thread(r, "test-commit-delays"));
  private final PeerChannels peers = new PeerChannels();

  @AfterEach
  void stop() throws Exception {
    peers.close();
    delays.shutdownNow();
    if (cluster != null) {
      cluster.close();
    }
  }

  private WriteEngine primaryEngine() {
    return (WriteEngine) cluster.node(0).operations();
  }

  private ChunkMeta state(int i) {
    return cluster.state(i, handle);
  }

  /**
   * Drops a staged mutation on replica i, so its COMMIT fails with NOT_FOUND. The COMMIT may go
   * out right behind the data, so the stage may not have begun there yet: first wait until it is.
   */
  private void loseStage(int i, Mutation m) {
    ReplicaEngine engine = ((WriteEngine) cluster.node(i).operations()).replicaEngine();
    await().atMost(Duration.ofSeconds(30)).until(() -> engine.holdsStage(m));
    ChunkLocation l = cluster.node(i).location();
    ReplicationServiceBlockingStub stub = peers.blockingStub(l.getHost(),
        l.getReplicationPort()).withDeadlineAfter(30, TimeUnit.SECONDS);
    stub.abort(AbortRequest.newBuilder().setHandle(m.handle()).setVersion(m.version())
        .setPrimaryId(m.primaryId()).setStageId(m.stageId()).build());
  }

  private void assertReplicasIdentical(int expectedLength) {
    byte[] reference = cluster.committedBytes(0, handle);
    assertThat(reference).hasSize(expectedLength);
    for (int i = 1; i < 3; i++) {
      assertThat(cluster.committedBytes(i, handle)).as("replica %d", i).isEqualTo(reference);
      assertThat(state(i).committedSequence()).as("sequence of replica %d", i)
          .isEqualTo(state(0).committedSequence());
    }
  }

  @Test
  void concurrentAppendsCommitInSequenceOrderOnEveryReplica() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    List<Long> localOrder = new CopyOnWriteArrayList<>();
    Random jitter = new Random(7);
    // the primary's own commits are held back at random, so the secondaries' commits of the
    // same mutation often finish first; the chain must still keep every replica in order
    primaryEngine().injectCommitFaults(new CommitFaults() {
      @Override
      public CompletableFuture<ChunkMeta> commitLocally(Mutation m,
          Function<Mutation, CompletableFuture<ChunkMeta>> commit) {
        localOrder.add(m.sequence());
        long ms;
        synchronized (jitter) {
          ms = jitter.nextInt(15);
        }
        CompletableFuture<ChunkMeta> out = new CompletableFuture<>();
        delays.schedule(() -> commit.apply(m).whenComplete((v, e) -> {
          if (e != null) {
            out.completeExceptionally(e);
          } else {
            out.complete(v);
          }
        }), ms, TimeUnit.MILLISECONDS);
        return out;
      }
    });
    Map<Long, byte[]> acked = new HashMap<>();
    int total = 0;
    for (int round = 0; round < 6; round++) {
      List<byte[]> records = new ArrayList<>();
      List<CompletableFuture<WriteOutcome>> writes = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        byte[] data = record(1 + (round * 7919 + c * 104_729) % 40_000, round * 10L + c);
        records.add(data);
        writes.add(cluster.write(0, handle, 1, -1, data, 8 * 1024));
      }
      for (int c = 0; c < 4; c++) {
        WriteOutcome o = get(writes.get(c));
        assertThat(acked).doesNotContainKey(o.offset());
        acked.put(o.offset(), records.get(c));
        total += records.get(c).length;
      }
    }
    assertThat(localOrder).hasSize(24).isSorted().doesNotHaveDuplicates();
    assertReplicasIdentical(total);
    byte[] bytes = cluster.committedBytes(1, handle);
    acked.forEach((off, data) -> assertThat(Arrays.copyOfRange(bytes, off.intValue(),
        off.intValue() + data.length)).isEqualTo(data));
  }

  @Test
  void wholeChunkWritesInFlightTogetherCommitEverywhere() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    List<String> handles = new ArrayList<>();
    List<CompletableFuture<WriteOutcome>> writes = new ArrayList<>();
    List<byte[]> data = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      String h = UUID.randomUUID().toString();
      handles.add(h);
      cluster.master.assign(h, 1, "cs1", cluster.locations(0, 1, 2));
      data.add(record((int) CHUNK / 2 + c, c));
      writes.add(cluster.write(0, h, 1, 0, data.get(c), 256 * 1024));
    }
    for (int c = 0; c < 3; c++) {
      assertThat(get(writes.get(c)).offset()).isZero();
      for (int i = 0; i < 3; i++) {
        assertThat(cluster.committedBytes(i, handles.get(c))).isEqualTo(data.get(c));
      }
    }
  }

  @Test
  void secondaryCommitFailureStillSucceedsAtTwoOfThreeAndReportsItStale() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    get(cluster.write(0, handle, 1, -1, record(500, 1)));
    primaryEngine().injectCommitFaults(new CommitFaults() {
      @Override
      public CompletableFuture<Void> beforeCommits(Mutation m) {
        return CompletableFuture.runAsync(() -> loseStage(2, m)); // not on an event loop
      }
    });
    WriteOutcome o = get(cluster.write(0, handle, 1, -1, record(700, 2)));
    assertThat(o.offset()).isEqualTo(500);
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.problems.stream()
        .anyMatch(p -> p.getServerId().equals("cs3")
            && p.getProblem() == ReplicaProblem.MISSED_COMMIT));
    assertThat(state(0).committedLength()).isEqualTo(1200);
    assertThat(cluster.committedBytes(1, handle)).isEqualTo(cluster.committedBytes(0, handle));
    assertThat(state(2).committedLength()).isEqualTo(500);
    // the stale replica is left out; writes go on at 2 of 3
    primaryEngine().injectCommitFaults(CommitFaults.NONE);
    assertThat(get(cluster.write(0, handle, 1, -1, record(10, 3))).offset()).isEqualTo(1200);
    assertThat(cluster.committedBytes(1, handle)).isEqualTo(cluster.committedBytes(0, handle));
  }

  /** Holds back, until {@code release} completes, the answers of cs3 to COMMIT as the primary sees them. */
  private CommitFaults holdAnswersOfCs3(CompletableFuture<Boolean> release) {
    return new CommitFaults() {
      @Override
      public CompletableFuture<CommitResponse> answerFrom(ChunkLocation peer,
          CompletableFuture<CommitResponse> sent) {
        if (!peer.getServerId().equals("cs3")) {
          return sent;
        }
        // release(true): pass the real answer on; release(false): the answer is lost
        return sent.thenCombine(release, (answer, pass) -> {
          if (!pass) {
            throw new IllegalStateException("test: cs3's answer to COMMIT lost");
          }
          return answer;
        });
      }
    };
  }

  @Test
  void writeIsAcknowledgedOnceAQuorumCommittedWithoutWaitingForTheSlowestReplica()
      throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    CompletableFuture<Boolean> release = new CompletableFuture<>();
    primaryEngine().injectCommitFaults(holdAnswersOfCs3(release));
    WriteOutcome o = get(cluster.write(0, handle, 1, -1, record(700, 1)));
    assertThat(o.offset()).isZero();
    // acknowledged while cs3's answer is still held: primary and cs2 are the quorum
    assertThat(cluster.node(0).metrics().counter("gfs.chunkserver.write.commits.in_flight")
        .getCount()).isEqualTo(1);
    assertThat(cluster.node(1).store().state(handle).orElseThrow().committedLength())
        .isEqualTo(700);
    release.complete(true);
    cluster.awaitCommitsSettled();
    assertReplicasIdentical(700);
    assertThat(cluster.master.problems).isEmpty();
  }

  @Test
  void secondaryFailingAfterTheQuorumAcknowledgementIsStillReportedStale() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    CompletableFuture<Boolean> release = new CompletableFuture<>();
    primaryEngine().injectCommitFaults(holdAnswersOfCs3(release));
    assertThat(get(cluster.write(0, handle, 1, -1, record(700, 1))).offset()).isZero();
    assertThat(cluster.master.problems).isEmpty();
    release.complete(false); // the answer fails after the client had its success
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.problems.stream()
        .anyMatch(p -> p.getServerId().equals("cs3")
            && p.getProblem() == ReplicaProblem.MISSED_COMMIT));
    // left out from then on: the next write commits on the primary and cs2 only
    primaryEngine().injectCommitFaults(CommitFaults.NONE);
    assertThat(get(cluster.write(0, handle, 1, -1, record(10, 2))).offset()).isEqualTo(700);
    assertThat(state(0).committedLength()).isEqualTo(710);
    assertThat(state(1).committedLength()).isEqualTo(710);
    assertThat(state(2).committedLength()).isEqualTo(700);
  }

  /** Fails the primary's own commit of one sequence, once the listed secondaries applied it. */
  private CommitFaults failLocalCommit(long sequence, Set<Integer> lose, boolean applyFirst) {
    return failLocalCommit(sequence, lose, applyFirst, () -> { });
  }

  private CommitFaults failLocalCommit(long sequence, Set<Integer> lose, boolean applyFirst,
      Runnable thenBeforeFailing) {
    return new CommitFaults() {
      @Override
      public CompletableFuture<Void> beforeCommits(Mutation m) {
        return CompletableFuture.runAsync(() -> { // not on an event loop
          if (m.sequence() == sequence) {
            lose.forEach(i -> loseStage(i, m));
          }
        });
      }

      @Override
      public CompletableFuture<ChunkMeta> commitLocally(Mutation m,
          Function<Mutation, CompletableFuture<ChunkMeta>> commit) {
        if (m.sequence() != sequence) {
          return commit.apply(m);
        }
        long end = m.offset() + m.length();
        for (int i = 1; i < 3; i++) {
          int replica = i;
          if (!lose.contains(replica)) { // COMMIT went out before this: wait until it applied
            await().atMost(Duration.ofSeconds(30)).until(
                () -> state(replica).committedLength() >= end);
          }
        }
        if (applyFirst) {
          commit.apply(m).join(); // durable here, but the primary cannot tell (e.g. a lost reply)
        }
        thenBeforeFailing.run();
        return CompletableFuture.failedFuture(new ChunkException(Code.INTERNAL,
            "injected: disk failed during commit"));
      }
    };
  }

  private void primaryCommitFails(Set<Integer> lose, boolean applyFirst, boolean kept)
      throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    get(cluster.write(0, handle, 1, -1, record(1000, 1)));
    long seq = state(0).committedSequence() + 1;
    primaryEngine().injectCommitFaults(failLocalCommit(seq, lose, applyFirst));
    int claims = cluster.master.claimCalls.get();
    assertThat(failure(cluster.write(0, handle, 1, -1, record(300, 2))))
        .isEqualTo(Code.QUORUM_FAILED);
    assertThat(cluster.master.claimCalls.get()).as("lease claimed again").isGreaterThan(claims);
    primaryEngine().injectCommitFaults(CommitFaults.NONE);
    int expected = kept ? 1300 : 1000;
    WriteOutcome next = get(cluster.write(0, handle, 1, -1, record(50, 3)));
    assertThat(next.offset()).isEqualTo(expected);
    assertReplicasIdentical(expected + 50);
    assertThat(Arrays.copyOfRange(cluster.committedBytes(0, handle), 0, 1000))
        .isEqualTo(record(1000, 1));
    if (kept) {
      assertThat(Arrays.copyOfRange(cluster.committedBytes(0, handle), 1000, 1300))
          .isEqualTo(record(300, 2));
    }
  }

  @Test
  void primaryCommitFailsAfterBothSecondariesCommittedClientSeesNoSuccessRecoveryKeepsIt()
      throws Exception {
    primaryCommitFails(Set.of(), false, true);
  }

  @Test
  void primaryCommitFailsAndOneSecondaryMissedItRecoveryKeepsTheMajoritysWrite()
      throws Exception {
    primaryCommitFails(Set.of(2), false, true);
  }

  @Test
  void primaryCommitFailsAndNoSecondaryCommittedRecoveryDropsIt() throws Exception {
    primaryCommitFails(Set.of(1, 2), false, false);
  }

  @Test
  void primaryCommitReportedFailedAfterApplyingIsStillNoSuccess() throws Exception {
    primaryCommitFails(Set.of(1, 2), true, true);
  }

  @Test
  void appendsInFlightBehindAFailedPrimaryCommitNeverSucceedWrongly() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    get(cluster.write(0, handle, 1, -1, record(100, 1)));
    long seq = state(0).committedSequence() + 2; // the second of the appends below
    primaryEngine().injectCommitFaults(failLocalCommit(seq, Set.of(), false));
    Map<Long, byte[]> acked = new ConcurrentHashMap<>();
    acked.put(0L, record(100, 1));
    List<CompletableFuture<WriteOutcome>> writes = new ArrayList<>();
    List<byte[]> records = new ArrayList<>();
    for (int c = 0; c < 5; c++) {
      records.add(record(200 + c, 10 + c));
      writes.add(cluster.write(0, handle, 1, -1, records.get(c)));
    }
    int failed = 0;
    for (int c = 0; c < 5; c++) {
      try {
        WriteOutcome o = writes.get(c).get(60, TimeUnit.SECONDS);
        assertThat(acked).doesNotContainKey(o.offset());
        acked.put(o.offset(), records.get(c));
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(ChunkException.class);
        failed++;
      } catch (TimeoutException e) {
        throw new AssertionError("append " + c + " did not finish", e);
      }
    }
    assertThat(failed).isPositive();
    primaryEngine().injectCommitFaults(CommitFaults.NONE);
    WriteOutcome last = get(cluster.write(0, handle, 1, -1, new byte[] {42}));
    acked.put(last.offset(), new byte[] {42});
    assertReplicasIdentical((int) last.offset() + 1);
    byte[] bytes = cluster.committedBytes(2, handle);
    acked.forEach((off, data) -> assertThat(Arrays.copyOfRange(bytes, off.intValue(),
        off.intValue() + data.length)).as("acknowledged append at %d", off).isEqualTo(data));
  }

  @Test
  void secondaryHoldingAMutationRecoveryCouldNotSeeIsFencedBeforeNewWrites() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    get(cluster.write(0, handle, 1, -1, record(1000, 1)));
    long seq = state(0).committedSequence() + 1;
    // cs3 loses its stage, cs2 commits and then becomes unreachable: recovery sees only cs1 and
    // cs3, neither of which holds the mutation, so cs2 now differs at the same version
    primaryEngine().injectCommitFaults(failLocalCommit(seq, Set.of(2), false,
        () -> cluster.stop(1)));
    assertThat(failure(cluster.write(0, handle, 1, -1, record(300, 2))))
        .isEqualTo(Code.QUORUM_FAILED);
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.problems.stream()
        .anyMatch(p -> p.getServerId().equals("cs2")
            && p.getProblem() == ReplicaProblem.MISSED_COMMIT));
    primaryEngine().injectCommitFaults(CommitFaults.NONE);
    assertThat(get(cluster.write(0, handle, 1, -1, record(50, 3))).offset()).isEqualTo(1000);
    assertThat(cluster.committedBytes(2, handle)).isEqualTo(cluster.committedBytes(0, handle))
        .hasSize(1050);
  }

  @Test
  void whileTheMasterCannotBeReachedAfterAFailedCommitWritesFailFastAndTheFenceStillComesFirst()
      throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    get(cluster.write(0, handle, 1, -1, record(1000, 1)));
    long seq = state(0).committedSequence() + 1;
    // as above, cs2 holds a mutation the others lack and is unreachable; and now the master
    // refuses every claim, so the recovery that would fence cs2 cannot run for a while
    primaryEngine().injectCommitFaults(failLocalCommit(seq, Set.of(2), false, () -> {
      cluster.master.refuseClaims = true;
      cluster.stop(1);
    }));
    assertThat(failure(cluster.write(0, handle, 1, -1, record(300, 2))))
        .isEqualTo(Code.QUORUM_FAILED);
    primaryEngine().injectCommitFaults(CommitFaults.NONE);
    // after the quick attempts, writes are refused at once rather than let through unfenced
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      try {
        return failure(cluster.write(0, handle, 1, -1, record(50, 3))) == Code.NOT_PRIMARY;
      } catch (AssertionError e) {
        return false; // a write that succeeded would fail the checks below
      }
    });
    assertThat(cluster.master.problems).noneMatch(p -> p.getServerId().equals("cs2"));
    cluster.master.refuseClaims = false;
    await().atMost(Duration.ofSeconds(60)).until(() -> cluster.master.problems.stream()
        .anyMatch(p -> p.getServerId().equals("cs2")
            && p.getProblem() == ReplicaProblem.MISSED_COMMIT));
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
        get(cluster.write(0, handle, 1, -1, record(50, 4))).offset() == 1000);
    assertThat(cluster.committedBytes(2, handle)).isEqualTo(cluster.committedBytes(0, handle))
        .hasSize(1050);
  }
}
