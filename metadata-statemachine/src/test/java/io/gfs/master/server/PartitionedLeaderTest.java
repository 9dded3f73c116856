package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.master.testing.FakeChunkserver;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.AllocateChunkRequest;
import io.gfs.proto.AllocateChunkResponse;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetChunkLocationsResponse;
import io.gfs.proto.GetFileRequest;
import io.gfs.proto.GetRaftStatusRequest;
import io.gfs.proto.MasterServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader cut off from both followers (Raft traffic dropped in its gRPC path) never allocates a
 * chunk and stops answering reads; the majority elects a leader and goes on (DESIGN §7 inv. 4).
 */
class PartitionedLeaderTest {

  @TempDir
  Path dir;

  @Test
  void isolatedLeaderNeitherReadsNorAllocatesWhileMajorityGoesOn() throws Exception {
    ExecutorService background = Executors.newSingleThreadExecutor(
        r -> new Thread(r, "test-isolated-allocate"));
    try (MasterTestCluster cluster = MasterTestCluster.start(dir,
        c -> c.withTimes(Duration.ofSeconds(10), Duration.ofSeconds(120)))) {
      String old = cluster.awaitLeader(Duration.ofSeconds(60));
      TestRequests requests = new TestRequests(UUID.randomUUID());
      List<FakeChunkserver> servers = List.of(
          new FakeChunkserver(cluster, "cs1", 21_000, 1L << 40),
          new FakeChunkserver(cluster, "cs2", 21_010, 1L << 40),
          new FakeChunkserver(cluster, "cs3", 21_020, 1L << 40));
      servers.forEach(FakeChunkserver::registerEverywhere);
      stub(cluster, old).createFile(requests.createFile("/x"));

      cluster.isolate(old);
      AllocateChunkRequest isolatedAllocate = AllocateChunkRequest.newBuilder()
          .setRequestId(requests.nextId()).setPath("/x").setChunkIndex(0).build();
      CompletableFuture<AllocateChunkResponse> isolatedAttempt = CompletableFuture.supplyAsync(
          () -> stub(cluster, old).allocateChunk(isolatedAllocate), background);

      String newLeader = cluster.awaitNewLeader(old, Duration.ofSeconds(60));
      stub(cluster, newLeader).createFile(requests.createFile("/y"));
      AllocateChunkResponse allocated = stub(cluster, newLeader).allocateChunk(
          AllocateChunkRequest.newBuilder().setRequestId(requests.nextId()).setPath("/x")
              .setChunkIndex(0).build());

      // The isolated master must not answer: a NOT_FOUND for /y would be a stale read.
      for (String path : List.of("/y", "/x")) {
        assertUnavailable(() -> stub(cluster, old).getFile(
            GetFileRequest.newBuilder().setPath(path).build()));
      }
      assertUnavailable(() -> stub(cluster, old).allocateChunk(AllocateChunkRequest.newBuilder()
          .setRequestId(requests.nextId()).setPath("/x").setChunkIndex(1).build()));
      Awaitility.await("isolated allocation failed").atMost(Duration.ofSeconds(60))
          .until(isolatedAttempt::isDone);
      assertThat(isolatedAttempt).isCompletedExceptionally();

      // Heal: the old leader follows and holds only the majority's chunk.
      cluster.partition().heal();
      Awaitility.await("old leader caught up").atMost(Duration.ofSeconds(60)).until(() ->
          cluster.adminStub(old).getRaftStatus(GetRaftStatusRequest.getDefaultInstance())
              .getSelf().getAppliedIndex() >= cluster.adminStub(newLeader)
              .getRaftStatus(GetRaftStatusRequest.getDefaultInstance()).getSelf()
              .getCommitIndex());
      String leaderNow = cluster.awaitLeader(Duration.ofSeconds(60));
      GetChunkLocationsResponse loc = stub(cluster, leaderNow).getChunkLocations(
          GetChunkLocationsRequest.newBuilder().setPath("/x").build());
      assertThat(loc.getChunksList()).hasSize(1);
      assertThat(loc.getChunks(0).getHandle()).isEqualTo(allocated.getChunk().getHandle());
    } finally {
      background.shutdownNow();
      background.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static MasterServiceGrpc.MasterServiceBlockingStub stub(MasterTestCluster cluster,
      String id) {
    return cluster.masterStub(id).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static void assertUnavailable(Runnable call) {
    try {
      call.run();
      throw new AssertionError("the isolated master answered");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED);
    }
  }
}
