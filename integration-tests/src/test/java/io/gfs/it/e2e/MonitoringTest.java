package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.GfsClient;
import io.gfs.it.cluster.MiniCluster;
import io.gfs.proto.ChunkserverPressure;
import io.gfs.proto.ChunkserverStatus;
import io.gfs.proto.GetClusterStatusResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3: cluster status and pressure report real figures that match what was written. */
class MonitoringTest {
  private static final int CHUNK = 256 * 1024;

  @Test
  void statusAndPressureReportRealFigures(@TempDir Path dir) {
    try (MiniCluster cluster = MiniCluster.builder(dir).chunkservers(3).chunkSize(CHUNK).start()) {
      GfsClient gfs = cluster.newClient();
      gfs.writeFile("/m/empty", new byte[0]);
      gfs.writeFile("/m/one", DataPathRoundTripTest.randomBytes(1, CHUNK));
      gfs.writeFile("/m/three", DataPathRoundTripTest.randomBytes(2, 2 * CHUNK + 1));
      gfs.mkdir("/m/dir", true);
      int chunks = 0 + 1 + 3;

      Awaitility.await("chunk counts reach every chunkserver's report")
          .atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            GetClusterStatusResponse s = gfs.clusterStatus();
            assertThat(s.getLeaderId()).isEqualTo(cluster.awaitLeader());
            assertThat(s.getFileCount()).isEqualTo(3);
            assertThat(s.getChunkCount()).isEqualTo(chunks);
            assertThat(s.getChunkserversList()).extracting(ChunkserverStatus::getServerId)
                .containsExactly("cs1", "cs2", "cs3");
            for (ChunkserverStatus c : s.getChunkserversList()) {
              assertThat(c.getAlive()).isTrue();
              assertThat(c.getChunkCount()).as("%s chunks", c.getServerId()).isEqualTo(chunks);
              assertThat(c.getTotalBytes()).isPositive();
              assertThat(c.getFreeBytes()).isPositive().isLessThanOrEqualTo(c.getTotalBytes());
              assertThat(c.getBuildInfo()).isEqualTo("mini-cluster");
              assertThat(c.getAddress().getDataPort())
                  .isEqualTo(cluster.chunkserver(c.getServerId()).dataPort());
              assertThat(c.getLastHeartbeatMsAgo()).isBetween(0L, 4_000L);
            }
          });

      for (ChunkserverPressure p : gfs.clusterPressure().getChunkserversList()) {
        assertThat(p.getAlive()).isTrue();
        assertThat(p.getHost()).isEqualTo("127.0.0.1");
        assertThat(p.getMemoryTotalBytes()).isPositive();
        assertThat(p.getMemoryUsedBytes()).isPositive()
            .isLessThanOrEqualTo(p.getMemoryTotalBytes());
        assertThat(p.getDiskTotalBytes()).isPositive();
        assertThat(p.getDiskUsedBytes()).isPositive().isLessThanOrEqualTo(p.getDiskTotalBytes());
        assertThat(p.getCpuPercent()).isBetween(0.0, 100.0);
      }

      // a stopped chunkserver shows as not alive once its heartbeats expire
      cluster.stopChunkserver("cs3");
      cluster.awaitChunkserverDead("cs3");
      assertThat(gfs.clusterStatus().getChunkserversList())
          .filteredOn(c -> c.getServerId().equals("cs3")).singleElement()
          .satisfies(c -> assertThat(c.getAlive()).isFalse());
      assertThat(gfs.clusterPressure().getChunkserversList())
          .filteredOn(c -> c.getServerId().equals("cs3")).singleElement()
          .satisfies(c -> assertThat(c.getAlive()).isFalse());
    }
  }

  @Test
  void aSingleChunkserverClusterStoresOneReplica(@TempDir Path dir) {
    try (MiniCluster cluster = MiniCluster.builder(dir).chunkservers(1).chunkSize(CHUNK).start()) {
      GfsClient gfs = cluster.newClient();
      byte[] data = DataPathRoundTripTest.randomBytes(3, CHUNK + 10);
      gfs.writeFile("/single", data);
      gfs.appendFile("/single-log", new byte[] {1, 2, 3});
      assertThat(gfs.readFile("/single")).isEqualTo(data);
      assertThat(gfs.readFile("/single-log")).containsExactly(1, 2, 3);
      assertThat(cluster.replicaIds("/single", 1)).containsExactly("cs1");
    }
  }
}
