package io.gfs.chunkserver.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.PeerStages;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.gfs.chunkserver.testing.TestCluster;
import io.gfs.proto.CommitResponse;
import io.gfs.proto.MutationHeader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A primary's COMMIT over a secondary's data plane (docs/protocol.md), against real servers. */
class DataPlaneCommitTest {
  @TempDir Path dir;

  private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, got " + f.join());
  }

  @Test
  void aRepeatedCommitIsAnsweredWithTheReplicaStateAndAnUnstagedOneIsRefused() throws Exception {
    String handle = UUID.randomUUID().toString();
    try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20)) {
      cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
      byte[] data = TwoPhaseCommitTest.record(700, 21);
      assertThat(TwoPhaseCommitTest.get(cluster.write(0, handle, 1, -1, data)).offset())
          .isZero();
      cluster.awaitCommitsSettled();
      PeerStages stages = cluster.node(0).peerStages();
      int secondary = cluster.node(1).location().getDataPort();
      int crc = Crc32cBlocks.crc(data, 0, data.length);

      // sequence 1 is applied already: a commit sent again (say after a lost answer) is a no-op
      MutationHeader again = new Mutation(handle, 1, "cs1", 1, 0, 0, data.length, crc, 1)
          .toProto();
      CommitResponse r = stages.commit("127.0.0.1", secondary, again, 5_000)
          .get(30, TimeUnit.SECONDS);
      assertThat(r.getCommittedLength()).isEqualTo(700);
      assertThat(r.getCommittedSequence()).isEqualTo(1);

      // nothing was staged for this one: a definite refusal, not a transport failure
      MutationHeader unstaged = new Mutation(handle, 1, "cs1", 2, 1, 700, 10, 0, 999).toProto();
      Throwable t = failureOf(stages.commit("127.0.0.1", secondary, unstaged, 5_000));
      assertThat(t).isInstanceOf(ChunkException.class);
      assertThat(((ChunkException) t).code()).isEqualTo(ChunkException.Code.NOT_FOUND);
      assertThat(cluster.state(1, handle).committedLength()).isEqualTo(700);

      // the connection that carried the refusal is not reused; the next commit still goes
      assertThat(stages.commit("127.0.0.1", secondary, again, 5_000).get(30, TimeUnit.SECONDS)
          .getCommittedSequence()).isEqualTo(1);
    }
  }

  /**
   * Serves a connection as a server one version behind: it answers the STAGE probe, and it
   * does not know COMMIT (answers UNKNOWN_OPERATION and closes, as its decoder does).
   */
  private static void stagesButNoCommits(Socket s) {
    try (DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
      for (int frames = 0; frames < 64; frames++) { // bounded; ends when the socket closes
        FakeFrames.Frame f = FakeFrames.read(in);
        if (f.type() == FakeFrames.STAGE) { // a probe here
          FakeFrames.stageOk(out, f.requestId());
          continue;
        }
        FakeFrames.error(out, f.requestId(), FakeFrames.UNKNOWN_OPERATION,
            String.format("unknown operation 0x%02x", f.type()));
        return;
      }
    } catch (IOException e) {
      // closed
    }
  }

  @Test
  void aServerThatRefusesCommitIsSentItsCommitsOverGrpcAndStillTakesStages() throws Exception {
    try (PeerStages stages = new PeerStages("cs-test");
        SilentReplicaTest.Blackhole older =
            new SilentReplicaTest.Blackhole(DataPlaneCommitTest::stagesButNoCommits)) {
      int port = older.server.getLocalPort();
      await().atMost(Duration.ofSeconds(30)).until(() -> stages.takesCommits("127.0.0.1", port));
      MutationHeader m = new Mutation(UUID.randomUUID().toString(), 1, "cs-test", 1, 0, 0, 10, 0,
          1).toProto();
      Throwable t = failureOf(stages.commit("127.0.0.1", port, m, 5_000));
      assertThat(t).isInstanceOf(PeerStages.CommitNotCarried.class)
          .hasMessageContaining("refused");
      assertThat(stages.takesCommits("127.0.0.1", port)).isFalse();
      assertThat(stages.takesStages("127.0.0.1", port)).isTrue();
    }
  }

  @Test
  void aConnectionThatClosesBeforeTheAnswerIsNotCarriedSoItMayBeResentOverGrpc()
      throws Exception {
    try (PeerStages stages = new PeerStages("cs-test");
        SilentReplicaTest.Blackhole closing = new SilentReplicaTest.Blackhole(s -> {
          try {
            s.close();
          } catch (IOException e) {
            // closed
          }
        })) {
      MutationHeader m = new Mutation(UUID.randomUUID().toString(), 1, "cs-test", 1, 0, 0, 10, 0,
          1).toProto();
      Throwable t = failureOf(stages.commit("127.0.0.1", closing.server.getLocalPort(), m,
          5_000));
      assertThat(t).isInstanceOf(PeerStages.CommitNotCarried.class);
    }
  }
}
