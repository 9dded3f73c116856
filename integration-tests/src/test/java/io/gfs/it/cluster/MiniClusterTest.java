package io.gfs.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.GfsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture itself: restarts keep data and ports, and close leaves no threads of ours. */
class MiniClusterTest {

  private static List<String> ourThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("cs1-") || n.startsWith("gfs-master-")
            || n.startsWith("gfs-client-"))
        .sorted().toList();
  }

  @Test
  void restartsKeepDataAndCloseLeavesNoThreads(@TempDir Path dir) {
    try (MiniCluster cluster = MiniCluster.builder(dir).chunkservers(1).chunkSize(64 * 1024)
        .start()) {
      GfsClient gfs = cluster.newClient();
      byte[] data = new byte[200_000];
      new java.util.Random(1).nextBytes(data);
      gfs.writeFile("/x", data);
      int port = cluster.chunkserver("cs1").dataPort();

      cluster.stopChunkserver("cs1");
      assertThat(cluster.chunkserver("cs1").isRunning()).isFalse();
      cluster.startChunkserver("cs1");
      assertThat(cluster.chunkserver("cs1").dataPort()).as("same port after restart")
          .isEqualTo(port);
      String leader = cluster.awaitLeader();
      cluster.restartMaster(leader);
      assertThat(gfs.readFile("/x")).isEqualTo(data);
      assertThat(cluster.replicaFiles(cluster.chunkLocations("/x").getChunks(0).getHandle()))
          .containsOnlyKeys("cs1");
      assertThat(ourThreads()).isNotEmpty();
    }
    Awaitility.await("threads of the cluster end").atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(ourThreads()).isEmpty());
  }
}
