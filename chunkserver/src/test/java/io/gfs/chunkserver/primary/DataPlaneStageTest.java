package io.gfs.chunkserver.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.testing.TestCluster;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ReplicaProblem;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Primaries stream mutations to secondaries over the data plane (STAGE) and commit them there
 * (COMMIT), or do both over gRPC.
 */
class DataPlaneStageTest {
  @TempDir Path dir;

  private static long count(TestCluster cluster, int node, String metric) {
    return cluster.node(node).metrics().counter(metric).getCount();
  }

  @Test
  void stagesGoOverTheSecondariesDataPlanes() throws Exception {
    String handle = UUID.randomUUID().toString();
    try (TestCluster cluster = new TestCluster(dir, 3, 64L << 20)) {
      cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
      byte[] data = TwoPhaseCommitTest.record(3 << 20, 11); // many DATA frames per piece
      WriteOutcome o = cluster.write(0, handle, 1, 0, data, 1 << 20)
          .get(60, TimeUnit.SECONDS);
      assertThat(o.committedLength()).isEqualTo(data.length);
      byte[] append = TwoPhaseCommitTest.record(5000, 12);
      assertThat(cluster.write(0, handle, 1, -1, append).get(60, TimeUnit.SECONDS).offset())
          .isEqualTo(data.length);
      for (int i = 0; i < 3; i++) {
        byte[] got = cluster.committedBytes(i, handle);
        assertThat(got).hasSize(data.length + append.length);
        assertThat(java.util.Arrays.copyOf(got, data.length)).isEqualTo(data);
      }
      assertThat(count(cluster, 0, "gfs.chunkserver.write.stages.dataplane")).isEqualTo(4);
      assertThat(count(cluster, 0, "gfs.chunkserver.write.stages.grpc")).isZero();
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.dataplane")).isEqualTo(4);
      // every secondary takes a COMMIT right behind the data, before READY
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.before_ready")).isEqualTo(4);
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.grpc")).isZero();
      assertThat(cluster.master.problems).isEmpty();
    }
  }

  @Test
  void secondariesWithoutADataPlaneGetTheirStagesOverGrpc() throws Exception {
    String handle = UUID.randomUUID().toString();
    try (TestCluster cluster = TestCluster.withoutDataPlanes(dir, 3, 1 << 20)) {
      cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
      byte[] data = TwoPhaseCommitTest.record(100_000, 13);
      assertThat(cluster.write(0, handle, 1, 0, data).get(60, TimeUnit.SECONDS)
          .committedLength()).isEqualTo(data.length);
      assertThat(cluster.committedBytes(2, handle)).isEqualTo(data);
      assertThat(count(cluster, 0, "gfs.chunkserver.write.stages.grpc")).isEqualTo(2);
      assertThat(count(cluster, 0, "gfs.chunkserver.write.stages.dataplane")).isZero();
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.grpc")).isEqualTo(2);
      assertThat(count(cluster, 0, "gfs.chunkserver.write.commits.dataplane")).isZero();
    }
  }

  /**
   * Serves one connection as a server that takes stages answers the probe (a STAGE without a
   * mutation), then reads everything else and never answers: a replica that falls silent
   * mid-stage.
   */
  private static final class SilentStager {
    static void serve(Socket s) {
      try (DataInputStream in = new DataInputStream(s.getInputStream());
          DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
        while (true) { // ends when the socket closes
          FakeFrames.Frame f = FakeFrames.read(in);
          if (f.isProbe()) {
            FakeFrames.stageOk(out, f.requestId());
          }
        }
      } catch (IOException e) {
        // closed
      }
    }
  }

  @Test
  void aReplicaFallingSilentMidStageIsLeftOutAtItsDeadline() throws Exception {
    String handle = UUID.randomUUID().toString();
    try (TestCluster cluster = new TestCluster(dir, 2, 1 << 20);
        SilentReplicaTest.Blackhole hole = new SilentReplicaTest.Blackhole();
        SilentReplicaTest.Blackhole stager =
            new SilentReplicaTest.Blackhole(SilentStager::serve)) {
      int dataPort = stager.server.getLocalPort();
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(0).peerStages()
          .takesStages("127.0.0.1", dataPort));
      ChunkLocation silent = ChunkLocation.newBuilder().setServerId("cs-silent")
          .setHost("127.0.0.1").setDataPort(dataPort)
          .setReplicationPort(hole.server.getLocalPort()).build();
      List<ChunkLocation> replicas = new ArrayList<>(cluster.locations(0, 1));
      replicas.add(silent);
      cluster.master.assign(handle, 1, "cs1", replicas);

      byte[] data = TwoPhaseCommitTest.record(300_000, 14);
      assertThat(cluster.write(0, handle, 1, 0, data).get(60, TimeUnit.SECONDS)
          .committedLength()).isEqualTo(data.length);
      assertThat(cluster.committedBytes(1, handle)).isEqualTo(data);
      assertThat(count(cluster, 0, "gfs.chunkserver.write.stages.dataplane")).isEqualTo(2);
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.problems.stream()
          .anyMatch(p -> p.getServerId().equals("cs-silent")
              && p.getProblem() == ReplicaProblem.MISSED_COMMIT));
    }
  }
}
