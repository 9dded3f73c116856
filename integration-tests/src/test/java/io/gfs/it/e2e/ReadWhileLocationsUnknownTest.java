package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.client.GfsClient;
import io.gfs.client.GfsUnavailableException;
import io.gfs.it.cluster.MiniCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read that finds the master knowing no replica of a chunk — as right after a master failover,
 * before chunkservers have reported — waits for the locations within the operation timeout instead
 * of failing at once or, worse, returning a short file. Past the timeout it fails clearly.
 */
class ReadWhileLocationsUnknownTest {
  private static final int CHUNK = 64 * 1024;

  @Test
  void readWaitsForTheOnlyReplicaToReport(@TempDir Path dir) throws Exception {
    try (MiniCluster cluster = MiniCluster.builder(dir).chunkservers(1).chunkSize(CHUNK).start();
        GfsClient gfs = cluster.clientBuilder().locationCacheTtl(Duration.ZERO).build()) {
      byte[] data = DataPathRoundTripTest.randomBytes(7, 3 * CHUNK + 1234);
      gfs.writeFile("/f", data);
      cluster.stopChunkserver("cs1");
      cluster.awaitChunkserverDead("cs1");
      assertThat(cluster.replicaIds("/f", 0)).as("no live replica at the leader").isEmpty();

      CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> gfs.readFile("/f"));
      CompletableFuture<Long> length = CompletableFuture.supplyAsync(() -> {
        try (var channel = gfs.openChannel("/f")) {
          return channel.size();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Thread.sleep(1_500);
      assertThat(read).as("still waiting for a replica").isNotDone();
      cluster.startChunkserver("cs1");

      assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(data);
      assertThat(length.get(30, TimeUnit.SECONDS)).isEqualTo(data.length);
    }
  }

  @Test
  void readFailsClearlyWhenNoReplicaReportsInTime(@TempDir Path dir) {
    try (MiniCluster cluster = MiniCluster.builder(dir).chunkservers(1).chunkSize(CHUNK).start();
        GfsClient gfs = cluster.clientBuilder().operationTimeout(Duration.ofSeconds(2))
            .locationCacheTtl(Duration.ZERO).build()) {
      gfs.writeFile("/f", DataPathRoundTripTest.randomBytes(8, 2 * CHUNK));
      cluster.stopChunkserver("cs1");
      cluster.awaitChunkserverDead("cs1");

      long start = System.nanoTime();
      assertThatThrownBy(() -> gfs.readFile("/f")).isInstanceOf(GfsUnavailableException.class)
          .hasMessageContaining("knows no replica of chunk 0");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("gave up after about the operation timeout").isLessThan(Duration.ofSeconds(20));
    }
  }
}
