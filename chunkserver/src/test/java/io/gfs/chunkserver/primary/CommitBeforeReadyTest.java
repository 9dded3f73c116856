package io.gfs.chunkserver.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.dataplane.PeerStages;
import io.gfs.chunkserver.dataplane.StageStream;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.chunkserver.replication.ReplicaEngine;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.gfs.chunkserver.testing.TestCluster;
import io.gfs.proto.CommitResponse;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A COMMIT sent right behind its stage's data, before READY (docs/protocol.md, STAGE probe
 * features), against real chunkservers: the secondary waits for the stage instead of refusing
 * the commit, the primary uses it only with secondaries that say they take it, and a mutation
 * that no secondary took is still a definite failure.
 */
class CommitBeforeReadyTest {
  @TempDir Path dir;

  private static long count(TestCluster cluster, int node, String metric) {
    return cluster.node(node).metrics().counter(metric).getCount();
  }

  private static ChunkException failureOf(CompletableFuture<?> f) throws Exception {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ChunkException.class);
      return (ChunkException) e.getCause();
    }
    throw new AssertionError("expected a failure, got " + f.join());
  }

  /** Node 1's data port, once its answer to the probe said it takes COMMIT before READY. */
  private static int probed(TestCluster cluster, PeerStages stages) {
    int port = cluster.node(1).location().getDataPort();
    await().atMost(Duration.ofSeconds(30))
        .until(() -> stages.takesCommitsBeforeReady("127.0.0.1", port));
    return port;
  }

  /** Until node 1 holds {@code m}'s stage, not yet complete. */
  private static void awaitStageBegun(TestCluster cluster, Mutation m) {
    ReplicaEngine engine = ((WriteEngine) cluster.node(1).operations()).replicaEngine();
    await().atMost(Duration.ofSeconds(30)).until(() -> !engine.stageSettled(m).isDone());
  }

  @Test
  void aCommitAheadOfItsStagesLastBytesWaitsForThemAndOneWhoseStageFailsIsRefused()
      throws Exception {
    String handle = UUID.randomUUID().toString();
    try (TestCluster cluster = new TestCluster(dir, 2, 1 << 20);
        PeerStages stages = new PeerStages("cs-test")) {
      int port = probed(cluster, stages);

      byte[] data = TwoPhaseCommitTest.record(6000, 31);
      int crc = Crc32cBlocks.crc(data, 0, data.length);
      Mutation staged = new Mutation(handle, 1, "cs-test", 0, 0, 0, data.length, crc, 7);
      StageStream stream = stages.open("127.0.0.1", port, staged.toProto(), 10_000, false);
      stream.send(Unpooled.wrappedBuffer(data, 0, 2000));
      awaitStageBegun(cluster, staged);
      // on another connection, so it can overtake the stage's remaining bytes
      CompletableFuture<CommitResponse> commit = stages.commit("127.0.0.1", port,
          staged.ordered(1, 0, 0).toProto(), 10_000);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> !commit.isDone());
      stream.send(Unpooled.wrappedBuffer(data, 2000, data.length - 2000));
      stream.ready().get(30, TimeUnit.SECONDS);
      CommitResponse r = commit.get(30, TimeUnit.SECONDS);
      assertThat(r.getCommittedLength()).isEqualTo(data.length);
      assertThat(r.getCommittedSequence()).isEqualTo(1);

      // a stage whose bytes do not match its CRC32C: the waiting commit is refused, not applied
      Mutation corrupt = new Mutation(handle, 1, "cs-test", 0, 0, 0, data.length, crc ^ 1, 8);
      StageStream bad = stages.open("127.0.0.1", port, corrupt.toProto(), 10_000, false);
      bad.send(Unpooled.wrappedBuffer(data, 0, 2000));
      awaitStageBegun(cluster, corrupt);
      CompletableFuture<CommitResponse> refused = stages.commit("127.0.0.1", port,
          corrupt.ordered(2, 1, data.length).toProto(), 10_000);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> !refused.isDone());
      bad.send(Unpooled.wrappedBuffer(data, 2000, data.length - 2000));
      assertThat(failureOf(bad.ready()).code()).isEqualTo(Code.CHECKSUM_MISMATCH);
      assertThat(failureOf(refused).code()).isEqualTo(Code.NOT_FOUND);
      assertThat(cluster.state(1, handle).committedLength()).isEqualTo(data.length);
      assertThat(cluster.state(1, handle).committedSequence()).isEqualTo(1);

      // the same on one connection: the COMMIT right behind the data, answered after READY
      Mutation next = new Mutation(handle, 1, "cs-test", 0, 0, 0, data.length, crc, 9);
      StageStream both = stages.open("127.0.0.1", port, next.toProto(), 10_000, true);
      both.send(Unpooled.wrappedBuffer(data));
      CommitResponse r2 = both.commit(next.ordered(2, 1, data.length).toProto(), 10_000)
          .get(30, TimeUnit.SECONDS);
      both.ready().get(30, TimeUnit.SECONDS);
      assertThat(r2.getCommittedLength()).isEqualTo(2L * data.length);
      assertThat(cluster.committedBytes(1, handle)).hasSize(2 * data.length);
    }
  }

  @Test
  void aStageThatFailedBeforeItsCommitWasSentNeverSendsIt() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 2, 1 << 20);
        PeerStages stages = new PeerStages("cs-test")) {
      int port = probed(cluster, stages);
      String handle = UUID.randomUUID().toString();
      byte[] data = TwoPhaseCommitTest.record(3000, 32);
      Mutation m = new Mutation(handle, 1, "cs-test", 0, 0, 0, data.length,
          Crc32cBlocks.crc(data, 0, data.length) ^ 1, 5);
      StageStream stream = stages.open("127.0.0.1", port, m.toProto(), 10_000, true);
      stream.send(Unpooled.wrappedBuffer(data));
      assertThat(failureOf(stream.ready()).code()).isEqualTo(Code.CHECKSUM_MISMATCH);
      ChunkException notSent = failureOf(stream.commit(m.ordered(1, 0, 0).toProto(), 10_000));
      assertThat(notSent.code()).isEqualTo(Code.NOT_FOUND); // definitely not applied
      assertThat(notSent).hasMessageContaining("before its COMMIT was sent");
      assertThat(cluster.node(1).store().state(handle).orElseThrow().committedLength()).isZero();
    }
  }

  @Test
  void aPeerThatCouldNotBeReachedIsAskedAgainBeforeItGetsStages() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 2, 1 << 20);
        PeerStages stages = new PeerStages("cs-test")) {
      int port = probed(cluster, stages);
      cluster.stop(1); // it may come back as another version
      Mutation m = new Mutation(UUID.randomUUID().toString(), 1, "cs-test", 1, 0, 0, 10, 0, 3);
      // the first may go on the pooled connection before its close is seen; the second
      // needs a new connection, which is refused
      for (int i = 0; i < 2; i++) {
        assertThat(stages.commit("127.0.0.1", port, m.toProto(), 5_000))
            .failsWithin(Duration.ofSeconds(30));
      }
      assertThat(stages.takesStages("127.0.0.1", port)).isFalse();
      assertThat(stages.takesCommitsBeforeReady("127.0.0.1", port)).isFalse();
    }
  }

  @Test
  void withASecondaryThatTakesCommitsOnlyAfterReadyEveryCommitWaitsForReady() throws Exception {
    String handle = UUID.randomUUID().toString();
    try (TestCluster cluster = TestCluster.configured(dir, 3, 1 << 20,
        c -> ((WriteEngine) c.node(2).operations()).takeCommitsOnlyAfterReady())) {
      cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
      byte[] a = TwoPhaseCommitTest.record(4096, 33);
      byte[] b = TwoPhaseCommitTest.record(4096, 34);
      assertThat(TwoPhaseCommitTest.get(cluster.write(0, handle, 1, -1, a)).offset()).isZero();
      assertThat(TwoPhaseCommitTest.get(cluster.write(0, handle, 1, -1, b)).offset())
          .isEqualTo(a.length);
      for (int i = 0; i < 3; i++) {
        assertThat(cluster.committedBytes(i, handle)).hasSize(a.length + b.length);
      }
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.dataplane")).isEqualTo(4);
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.before_ready")).isZero();
      assertThat(cluster.master.problems).isEmpty();
    }
  }

  @Test
  void aMutationNoSecondaryTookFailsDefinitelyAndIsCommittedNowhere() throws Exception {
    String handle = UUID.randomUUID().toString();
    try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20)) {
      cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
      byte[] a = TwoPhaseCommitTest.record(4096, 35);
      assertThat(TwoPhaseCommitTest.get(cluster.write(0, handle, 1, -1, a)).offset()).isZero();
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.before_ready")).isEqualTo(2);
      cluster.awaitCommitsSettled();

      long recoveries = count(cluster, 0, "gfs.chunkserver.primary.recoveries");
      cluster.stop(1);
      cluster.stop(2);
      ChunkException e = failureOf(cluster.write(0, handle, 1, -1,
          TwoPhaseCommitTest.record(4096, 36)));
      assertThat(e.code()).isEqualTo(Code.QUORUM_FAILED);
      assertThat(e).hasMessageContaining("READY on 1 of 2");
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.before_ready")).isEqualTo(4);
      // not abandoned and recovered: the primary still holds its lease
      assertThat(count(cluster, 0, "gfs.chunkserver.primary.recoveries")).isEqualTo(recoveries);
      assertThat(cluster.master.problems).isEmpty(); // nobody missed a commit: none was applied

      // not committed on the primary either, and a later write is refused for the same reason
      // (READY), not for a failed predecessor: the allocator rewound
      assertThat(cluster.node(0).store().state(handle).orElseThrow().committedLength())
          .isEqualTo(a.length);
      assertThat(failureOf(cluster.write(0, handle, 1, -1, TwoPhaseCommitTest.record(4096, 37))))
          .hasMessageContaining("READY on 1 of 2");
    }
  }
}
