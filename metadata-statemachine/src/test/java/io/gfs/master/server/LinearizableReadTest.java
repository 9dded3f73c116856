package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetFileRequest;
import io.gfs.proto.ListFilesRequest;
import io.gfs.proto.MasterServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads on the leader are linearizable (DESIGN §7): a read sees every write acknowledged before
 * it started, also when it is answered on the fast path (admitted under the leader lease and
 * completed on the handler's thread), and a deposed leader never answers from its old state.
 */
class LinearizableReadTest {

  private static final int WRITERS = 2;
  private static final int FILES_PER_WRITER = 40;

  @TempDir
  Path dir;

  @Test
  void readsOnTheLeaderSeeEachAcknowledgedWrite() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS,
        r -> new Thread(r, "test-read-after-write"));
    try (MasterTestCluster cluster = MasterTestCluster.start(dir, c -> c)) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      TestRequests requests = new TestRequests(UUID.randomUUID());
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        String base = "/raw/w" + w;
        writers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < FILES_PER_WRITER; i++) {
            String path = base + "-f" + i;
            stub(cluster, leader).createFile(requests.createFile(path));
            assertThat(stub(cluster, leader).getFile(GetFileRequest.newBuilder().setPath(path)
                .build()).getFile().getPath()).isEqualTo(path);
            assertThat(stub(cluster, leader).getChunkLocations(GetChunkLocationsRequest
                .newBuilder().setPath(path).build()).getFile().getPath()).isEqualTo(path);
          }
        }, pool));
      }
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new))
          .get(120, TimeUnit.SECONDS);
      assertThat(stub(cluster, leader).listFiles(ListFilesRequest.newBuilder().setPath("/raw")
          .build()).getEntriesCount()).isEqualTo(WRITERS * FILES_PER_WRITER);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void isolatedLeaderNeverAnswersAReadStartedAfterTheNewLeadersWrite() throws Exception {
    ExecutorService background = Executors.newSingleThreadExecutor(
        r -> new Thread(r, "test-reader-on-old-leader"));
    AtomicBoolean stop = new AtomicBoolean();
    try (MasterTestCluster cluster = MasterTestCluster.start(dir, c -> c)) {
      String old = cluster.awaitLeader(Duration.ofSeconds(60));
      TestRequests requests = new TestRequests(UUID.randomUUID());
      stub(cluster, old).createFile(requests.createFile("/before"));

      // Reads /after on the old leader from before its isolation until told to stop.
      ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
      CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 100_000 && !stop.get(); i++) {
          long started = System.nanoTime();
          Status.Code code;
          try {
            cluster.masterStub(old).withDeadlineAfter(2, TimeUnit.SECONDS)
                .getFile(GetFileRequest.newBuilder().setPath("/after").build());
            code = Status.Code.OK;
          } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode();
          }
          reads.add(new Read(started, code));
        }
      }, background);

      // Before its isolation the old leader answers (from the fast path): not found.
      Awaitility.await("a read on the leader").atMost(Duration.ofSeconds(60))
          .until(() -> reads.stream().anyMatch(r -> r.code() == Status.Code.NOT_FOUND));
      cluster.isolate(old);
      String newLeader = cluster.awaitNewLeader(old, Duration.ofSeconds(60));
      stub(cluster, newLeader).createFile(requests.createFile("/after"));
      long acknowledged = System.nanoTime();
      Awaitility.await("reads on the old leader after the write").atMost(Duration.ofSeconds(60))
          .until(() -> reads.stream().filter(r -> r.started() > acknowledged).count() >= 3);
      stop.set(true);
      reader.get(60, TimeUnit.SECONDS);

      // NOT_FOUND from a read that started after the write was acknowledged is a stale read;
      // the old leader may only fail (its lease has run out, it cannot confirm leadership).
      List<Read> after = reads.stream().filter(r -> r.started() > acknowledged).toList();
      assertThat(after).isNotEmpty().allSatisfy(r -> assertThat(r.code())
          .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED));
    } finally {
      stop.set(true);
      background.shutdownNow();
      background.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private record Read(long started, Status.Code code) {
  }

  private static MasterServiceGrpc.MasterServiceBlockingStub stub(MasterTestCluster cluster,
      String id) {
    return cluster.masterStub(id).withDeadlineAfter(30, TimeUnit.SECONDS);
  }
}
