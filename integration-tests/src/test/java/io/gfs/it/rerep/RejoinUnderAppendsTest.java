package io.gfs.it.rerep;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.client.GfsClient;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunkserver restarted while a client appends to a chunk without pause (a rolling restart):
 * the lease is renewed all along, so the master's re-replication never gets to the chunk; the
 * returning server rejoins through the primary (a full copy while writes pause, then a version
 * bump naming it). The chunk is fully replicated again while the appends go on, no append
 * fails, and every replica's committed bytes are identical at the end.
 */
class RejoinUnderAppendsTest {
  private static final int RECORD = 128;
  /** Bounded so the 1 MiB chunk can never fill: its lease must stay busy for the whole test. */
  private static final int APPENDS_MAX = 7_000;

  @TempDir Path dir;

  @Test
  void restartedReplicaRejoinsWhileAppendsContinue() throws Exception {
    try (RerepCluster c = new RerepCluster(dir, 3); GfsClient client = c.client()) {
      c.awaitReady();
      client.createFile("/log");
      client.appendFile("/log", Records.record(0, RECORD));
      String handle = c.chunks("/log").get(0).getHandle();
      String primary = c.leaderServer().stateMachine().state().chunk(handle).orElseThrow()
          .getPrimary();
      String restarted = c.replicaSet(handle).stream().filter(id -> !id.equals(primary))
          .findFirst().orElseThrow();

      Map<Integer, Long> acked = new ConcurrentHashMap<>();
      List<Throwable> failures = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger sent = new AtomicInteger();
      AtomicReference<Throwable> unexpected = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        for (int i = 1; i <= APPENDS_MAX && !stop.get(); i++) {
          sent.set(i);
          try {
            acked.put(i, client.appendFile("/log", Records.record(i, RECORD)));
            Thread.sleep(10); // paced: APPENDS_MAX lasts well over a minute
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException e) {
            synchronized (failures) {
              failures.add(e);
            }
          } catch (Throwable t) {
            unexpected.set(t);
            return;
          }
        }
      }, "test-appender");
      writer.start();
      try {
        Awaitility.await("appends flowing").atMost(RerepCluster.WAIT)
            .until(() -> acked.size() >= 20);
        c.stop(restarted);
        Awaitility.await(restarted + " out of the replica set").atMost(RerepCluster.WAIT)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> !c.replicaSet(handle).contains(restarted));
        int before = acked.size();
        Awaitility.await("appends go on at 2 of 3").atMost(RerepCluster.WAIT)
            .until(() -> acked.size() >= before + 20);
        c.start(restarted);

        Awaitility.await(restarted + " back in the replica set, nothing under-replicated")
            .atMost(RerepCluster.WAIT).pollInterval(Duration.ofMillis(200))
            .until(() -> c.replicaSet(handle).contains(restarted)
                && c.status().getUnderReplicatedChunks() == 0);
        int rejoinedAt = acked.size();
        Awaitility.await("appends go on after the rejoin").atMost(RerepCluster.WAIT)
            .until(() -> acked.size() >= rejoinedAt + 20);
        assertThat(c.chunks("/log")).as("still one chunk: the lease was never idle").hasSize(1);
      } finally {
        stop.set(true);
        writer.join(TimeUnit.MINUTES.toMillis(2));
      }
      assertThat(writer.isAlive()).isFalse();
      assertThat(unexpected.get()).isNull();
      assertThat(failures).as("no append failed").isEmpty();
      assertThat(acked).hasSize(sent.get());

      byte[] file = client.readFile("/log");
      for (Map.Entry<Integer, Long> e : acked.entrySet()) {
        int at = Math.toIntExact(e.getValue());
        assertThat(Arrays.copyOfRange(file, at, at + RECORD)).as("record %d", e.getKey())
            .isEqualTo(Records.record(e.getKey(), RECORD));
      }
      assertThat(Records.countWholeRecords(file, 1 << 20)).isEqualTo(acked.size() + 1);

      // Every replica, the rejoined one included, ends with the same committed bytes.
      Awaitility.await("replicas converge").atMost(RerepCluster.WAIT)
          .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            byte[] expected = committed(c.node(primary).store(), handle);
            assertThat(expected).isEqualTo(file);
            for (String id : c.replicaSet(handle)) {
              assertThat(committed(c.node(id).store(), handle)).as(id).isEqualTo(expected);
            }
          });
      assertThat(c.replicaSet(handle)).hasSize(3);
    }
  }

  private static byte[] committed(ChunkStore store, String handle) {
    long length = store.state(handle).orElseThrow().committedLength();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long pos = 0;
    while (pos < length) {
      byte[] piece = store.readCommitted(handle, pos, length - pos);
      if (piece.length == 0) {
        break;
      }
      out.writeBytes(piece);
      pos += piece.length;
    }
    return out.toByteArray();
  }
}
