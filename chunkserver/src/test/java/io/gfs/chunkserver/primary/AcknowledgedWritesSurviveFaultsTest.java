package io.gfs.chunkserver.primary;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload + checker (DESIGN §7 invariant 1): record appends while chunkservers stop, restart and
 * the lease moves to another live replica at a new version, with at most one replica down at a
 * time. Checker: every acknowledged append is at its offset on every replica at the end, and the
 * replicas are byte-identical. Reproducible from the seed.
 */
class AcknowledgedWritesSurviveFaultsTest {
  private static final Logger LOG = LogManager.getLogger(AcknowledgedWritesSurviveFaultsTest.class);
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void acknowledgedAppendsSurviveReplicaAndPrimaryFailures(long seed) throws Exception {
    Random random = new Random(seed);
    String handle = UUID.randomUUID().toString();
    Map<Long, byte[]> acked = new LinkedHashMap<>();
    int failed = 0;
    int failovers = 0;
    try (TestCluster cluster = new TestCluster(Files.createDirectories(dir.resolve("s" + seed)),
        3, 8 << 20)) {
      boolean[] down = new boolean[3];
      int primary = 0;
      long version = 1;
      cluster.master.assign(handle, version, TestCluster.id(primary), cluster.locations(0, 1, 2));
      for (int op = 0; op < 80; op++) {
        int downIndex = indexOf(down);
        int roll = random.nextInt(100);
        if (roll < 12 && downIndex < 0) {
          int victim = random.nextInt(3);
          cluster.stop(victim);
          down[victim] = true;
        } else if (roll < 24 && downIndex >= 0) {
          cluster.start(downIndex);
          down[downIndex] = false;
        } else if (roll < 32 || down[primary]) {
          primary = pickLive(random, down);
          version++;
          failovers++;
          cluster.master.assign(handle, version, TestCluster.id(primary), cluster.locations(0, 1,
              2));
        } else {
          // one to three clients appending at once
          int clients = 1 + random.nextInt(3);
          List<byte[]> records = new ArrayList<>();
          List<CompletableFuture<WriteOutcome>> writes = new ArrayList<>();
          for (int c = 0; c < clients; c++) {
            byte[] data = new byte[1 + random.nextInt(20_000)];
            random.nextBytes(data);
            records.add(data);
            writes.add(cluster.write(primary, handle, version, -1, data));
          }
          for (int c = 0; c < clients; c++) {
            try {
              WriteOutcome o = writes.get(c).get(60, TimeUnit.SECONDS);
              assertThat(acked).doesNotContainKey(o.offset());
              acked.put(o.offset(), records.get(c));
            } catch (ExecutionException e) {
              assertThat(e.getCause()).isInstanceOf(ChunkException.class);
              failed++;
            }
          }
        }
      }
      // Heal: everyone up, one more lease change, one more append to drive recovery.
      int downIndex = indexOf(down);
      if (downIndex >= 0) {
        cluster.start(downIndex);
      }
      primary = random.nextInt(3);
      cluster.master.assign(handle, ++version, TestCluster.id(primary),
          cluster.locations(0, 1, 2));
      WriteOutcome last = cluster.write(primary, handle, version, -1, new byte[] {42})
          .get(60, TimeUnit.SECONDS);
      acked.put(last.offset(), new byte[] {42});

      byte[] reference = cluster.committedBytes(primary, handle);
      for (Map.Entry<Long, byte[]> e : acked.entrySet()) {
        int off = e.getKey().intValue();
        assertThat(Arrays.copyOfRange(reference, off, off + e.getValue().length))
            .as("acknowledged append at %d", off).isEqualTo(e.getValue());
      }
      for (int i = 0; i < 3; i++) {
        assertThat(cluster.committedBytes(i, handle)).as("replica %d", i).isEqualTo(reference);
      }
      LOG.info("workload seed={} acked={} failed={} failovers={} length={}", seed, acked.size(),
          failed, failovers, reference.length);
    }
  }

  private static int indexOf(boolean[] down) {
    for (int i = 0; i < down.length; i++) {
      if (down[i]) {
        return i;
      }
    }
    return -1;
  }

  private static int pickLive(Random random, boolean[] down) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int i = random.nextInt(down.length);
      if (!down[i]) {
        return i;
      }
    }
    throw new AssertionError("no live chunkserver");
  }
}
