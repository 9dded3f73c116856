package io.gfs.it.rerep;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.GfsClient;
import io.gfs.client.GfsException;
import io.gfs.client.GfsOutcomeUnknownException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart stops the primary of a chunk under appends (SIGTERM → ChunkserverNode.close):
 * every append either succeeds and is in the file, or fails with a clean SDK error that is never
 * "outcome unknown"; the file holds only whole records (never half an append).
 */
class GracefulStopUnderAppendsTest {
  private static final int RECORD = 48 * 1024;
  private static final int APPENDS = 40;

  @TempDir Path dir;

  @Test
  void stoppingThePrimaryNeverLeavesHalfAnAppend() throws Exception {
    try (RerepCluster c = new RerepCluster(dir, 3); GfsClient client = c.client()) {
      c.awaitReady();
      client.createFile("/stream");
      client.appendFile("/stream", Records.record(0, RECORD));
      String primary = c.leaderServer().stateMachine().state()
          .chunk(c.chunks("/stream").get(0).getHandle()).orElseThrow().getPrimary();

      Map<Integer, Long> acked = new ConcurrentHashMap<>();
      List<Throwable> failures = new ArrayList<>();
      CountDownLatch someDone = new CountDownLatch(3);
      AtomicReference<Throwable> unexpected = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        for (int i = 1; i <= APPENDS; i++) {
          try {
            acked.put(i, client.appendFile("/stream", Records.record(i, RECORD)));
          } catch (GfsException e) {
            synchronized (failures) {
              failures.add(e);
            }
          } catch (Throwable t) {
            unexpected.set(t);
            return;
          }
          someDone.countDown();
        }
      }, "test-appender");
      writer.start();
      assertThat(someDone.await(120, TimeUnit.SECONDS)).isTrue();
      c.stop(primary);
      writer.join(TimeUnit.MINUTES.toMillis(5));
      assertThat(writer.isAlive()).isFalse();
      assertThat(unexpected.get()).as("only clean SDK errors").isNull();
      // A graceful stop answers every append it executed and says GOING_AWAY for the rest, so
      // no append is left with an unknown outcome (a lost reply would be one).
      assertThat(failures).as("appends failed with an unknown outcome")
          .noneMatch(f -> f instanceof GfsOutcomeUnknownException);
      assertThat(acked).as("appends after the stop go to a new primary").isNotEmpty();

      byte[] file = client.readFile("/stream");
      for (Map.Entry<Integer, Long> e : acked.entrySet()) {
        int at = Math.toIntExact(e.getValue());
        assertThat(Arrays.copyOfRange(file, at, at + RECORD)).as("record %d", e.getKey())
            .isEqualTo(Records.record(e.getKey(), RECORD));
      }
      assertThat(Records.countWholeRecords(file, 1 << 20))
          .isGreaterThanOrEqualTo(acked.size() + 1);
    }
  }
}
