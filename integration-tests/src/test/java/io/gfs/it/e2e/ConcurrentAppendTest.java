package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.GfsClient;
import io.gfs.it.cluster.MiniCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: record appends from 8 concurrent clients to one file (GFS §3.3). Every acknowledged
 * record is in the file, intact, at the offset it was acknowledged at, and no two overlap; the
 * records spill over several chunks, so chunk-full retries are part of the run.
 */
class ConcurrentAppendTest {
  private static final int CHUNK = 128 * 1024;
  private static final int CLIENTS = 8;
  private static final int RECORDS_PER_CLIENT = 25;

  record Acked(int client, int seq, int length, long offset) {
  }

  @Test
  void everyAcknowledgedRecordIsIntactAtItsOffset(@TempDir Path dir) throws Exception {
    String path = "/d/records";
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS,
        r -> new Thread(r, "appender-" + threads.incrementAndGet()));
    try (MiniCluster cluster = MiniCluster.builder(dir).chunkservers(3).chunkSize(CHUNK).start()) {
      List<Future<List<Acked>>> futures = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        // one SDK client per appender: separate connections, as separate processes would have
        GfsClient gfs = cluster.newClient();
        futures.add(pool.submit(() -> appendAll(gfs, path, client)));
      }
      List<Acked> acked = new ArrayList<>();
      for (Future<List<Acked>> f : futures) {
        acked.addAll(f.get(240, TimeUnit.SECONDS));
      }
      assertThat(acked).hasSize(CLIENTS * RECORDS_PER_CLIENT);

      byte[] file = cluster.newClient().readFile(path);
      for (Acked a : acked) {
        assertThat(AppendRecords.check(file, a.offset(), a.client(), a.seq(), a.length()))
            .as("record %d/%d acknowledged at %d is at %d; chunks %s", a.client(), a.seq(),
                a.offset(), AppendRecords.find(file, a.client(), a.seq()),
                cluster.chunkLocations(path).getChunksList().stream()
                    .map(c -> c.getCommittedLength() + (c.getSealed() ? "s" : "")).toList())
            .isNull();
      }
      acked.sort(Comparator.comparingLong(Acked::offset));
      for (int i = 1; i < acked.size(); i++) {
        Acked prev = acked.get(i - 1);
        assertThat(acked.get(i).offset()).as("%s overlaps %s", acked.get(i), prev)
            .isGreaterThanOrEqualTo(prev.offset() + prev.length());
      }
      assertThat(cluster.chunkLocations(path).getChunksCount()).as("spans several chunks")
          .isGreaterThan(2);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static List<Acked> appendAll(GfsClient gfs, String path, int client) {
    Random sizes = new Random(client);
    List<Acked> out = new ArrayList<>();
    long lastOffset = -1;
    for (int seq = 0; seq < RECORDS_PER_CLIENT; seq++) {
      int length = AppendRecords.OVERHEAD_BYTES + sizes.nextInt(12_000);
      long offset = gfs.appendFile(path, AppendRecords.encode(client, seq, length));
      // one client's appends are sequential: each lands after its previous one
      assertThat(offset).isGreaterThan(lastOffset);
      lastOffset = offset;
      out.add(new Acked(client, seq, length, offset));
    }
    return out;
  }
}
