package io.gfs.master.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.master.testing.FakeChunkserver;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.AllocateChunkRequest;
import io.gfs.proto.AllocateChunkResponse;
import io.gfs.proto.ChunkCommit;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ChunkserverStatus;
import io.gfs.proto.ClaimPrimaryRequest;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetChunkLocationsResponse;
import io.gfs.proto.GetClusterStatusRequest;
import io.gfs.proto.MasterServiceGrpc;
import io.gfs.proto.RenewLeaseRequest;
import io.gfs.proto.ReplicaProblem;
import io.gfs.proto.ReportCommitRequest;
import io.gfs.proto.ReportReplicaProblemRequest;
import io.gfs.proto.RenewLeaseResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placement and leases against fake chunkservers that use the real control API. */
class PlacementAndLeaseTest {

  private static final long FREE = 1L << 40;

  @TempDir
  Path dir;

  @Test
  void placesOnDistinctLiveServersAndSkipsSilentOnes() throws Exception {
    try (MasterTestCluster cluster = MasterTestCluster.start(dir,
        c -> c.withTimes(Duration.ofSeconds(4), Duration.ofSeconds(2)))) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      MasterServiceGrpc.MasterServiceBlockingStub stub = cluster.masterStub(leader)
          .withDeadlineAfter(30, TimeUnit.SECONDS);
      TestRequests requests = new TestRequests(UUID.randomUUID());
      stub.createFile(requests.createFile("/p/file"));

      // No chunkserver at all: a clear error, nothing proposed.
      assertThatThrownBy(() -> allocate(cluster, leader, requests, 0))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("no live chunkserver");
          });

      List<FakeChunkserver> beating = new CopyOnWriteArrayList<>();
      for (int i = 1; i <= 3; i++) {
        beating.add(new FakeChunkserver(cluster, "cs" + i, 20_000 + 10 * i, FREE));
      }
      FakeChunkserver silent = new FakeChunkserver(cluster, "cs4", 20_040, FREE);
      beating.forEach(FakeChunkserver::registerEverywhere);
      silent.registerEverywhere();
      ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
          r -> new Thread(r, "test-heartbeats"));
      try {
        heartbeats.scheduleWithFixedDelay(() -> beating.forEach(FakeChunkserver::heartbeatEverywhere),
            0, 300, TimeUnit.MILLISECONDS);
        Awaitility.await("cs4 expired").atMost(Duration.ofSeconds(30)).until(() ->
            !alive(cluster, leader).contains("cs4") && alive(cluster, leader).size() == 3);

        for (int i = 0; i < 4; i++) {
          AllocateChunkResponse r = allocate(cluster, leader, requests, i);
          List<String> ids = r.getChunk().getReplicasList().stream()
              .map(ChunkLocation::getServerId).toList();
          assertThat(ids).hasSize(3).doesNotHaveDuplicates()
              .containsExactlyInAnyOrder("cs1", "cs2", "cs3");
          assertThat(r.getWarning()).isEmpty();
          assertThat(r.getChunk().getVersion()).isEqualTo(1);
          assertThat(r.getChunk().getPrimary()).isIn(ids);
          assertThat(r.getChunk().getReplicas(0).getDataPort()).isPositive();
        }

        // Leases: the writer sees a primary with a valid lease; it renews; others cannot claim.
        GetChunkLocationsResponse loc = stub.getChunkLocations(GetChunkLocationsRequest
            .newBuilder().setPath("/p/file").setForWrite(true).build());
        ChunkInfo last = loc.getChunks(loc.getChunksCount() - 1);
        assertThat(last.getPrimary()).isNotEmpty();
        assertThat(last.getLeaseExpiryMs()).isGreaterThan(System.currentTimeMillis());
        RenewLeaseResponse renewed = cluster.controlStub(leader).renewLease(RenewLeaseRequest
            .newBuilder().setServerId(last.getPrimary()).addHandles(last.getHandle()).build());
        assertThat(renewed.getRenewedList()).hasSize(1);
        assertThat(renewed.getRenewed(0).getLeaseExpiryMs())
            .isGreaterThanOrEqualTo(last.getLeaseExpiryMs());
        String other = Set.of("cs1", "cs2", "cs3").stream()
            .filter(s -> !s.equals(last.getPrimary())).findFirst().orElseThrow();
        assertThatThrownBy(() -> cluster.controlStub(leader).claimPrimary(ClaimPrimaryRequest
            .newBuilder().setServerId(other).setHandle(last.getHandle()).build()))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                e.getStatus().getDescription()).contains("lease"));

        // After the lease ran out (plus the clock-skew margin) another replica may claim it:
        // the grant goes through the log with a version bump.
        ChunkInfo claimed = Awaitility.await("lease moves to " + other)
            .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .ignoreExceptionsMatching(e -> e instanceof StatusRuntimeException)
            .until(() -> cluster.controlStub(leader).claimPrimary(ClaimPrimaryRequest.newBuilder()
                .setServerId(other).setHandle(last.getHandle()).build()).getChunk(), c -> true);
        assertThat(claimed.getPrimary()).isEqualTo(other);
        assertThat(claimed.getVersion()).isEqualTo(last.getVersion() + 1);

        // Commit reports advance the length; a replica reported stale leaves the chunk.
        cluster.controlStub(leader).reportCommit(ReportCommitRequest.newBuilder()
            .setServerId(other).addCommits(ChunkCommit.newBuilder().setHandle(last.getHandle())
                .setVersion(claimed.getVersion()).setCommittedLength(4096)).build());
        String stale = claimed.getReplicasList().stream().map(ChunkLocation::getServerId)
            .filter(s -> !s.equals(other)).findFirst().orElseThrow();
        cluster.controlStub(leader).reportReplicaProblem(ReportReplicaProblemRequest.newBuilder()
            .setReporterId(other).setServerId(stale).setHandle(last.getHandle())
            .setVersion(claimed.getVersion()).setProblem(ReplicaProblem.MISSED_COMMIT).build());
        GetChunkLocationsResponse after = stub.getChunkLocations(GetChunkLocationsRequest
            .newBuilder().setPath("/p/file").setStartIndex(last.getIndex()).build());
        assertThat(after.getChunks(0).getCommittedLength()).isEqualTo(4096);
        assertThat(after.getChunks(0).getReplicasList()).extracting(ChunkLocation::getServerId)
            .doesNotContain(stale).contains(other);

        // Only one live server: one replica and a warning.
        beating.removeIf(s -> !s.id().equals("cs1"));
        Awaitility.await("only cs1 alive").atMost(Duration.ofSeconds(30)).until(() ->
            alive(cluster, leader).equals(List.of("cs1")));
        AllocateChunkResponse single = allocate(cluster, leader, requests, 4);
        assertThat(single.getChunk().getReplicasList()).extracting(ChunkLocation::getServerId)
            .containsExactly("cs1");
        assertThat(single.getWarning()).contains("only 1 of 3");
      } finally {
        heartbeats.shutdownNow();
        heartbeats.awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  private static AllocateChunkResponse allocate(MasterTestCluster cluster, String leader,
      TestRequests requests, int index) {
    return cluster.masterStub(leader).withDeadlineAfter(30, TimeUnit.SECONDS).allocateChunk(
        AllocateChunkRequest.newBuilder().setRequestId(requests.nextId()).setPath("/p/file")
            .setChunkIndex(index).build());
  }

  private static List<String> alive(MasterTestCluster cluster, String leader) {
    return cluster.masterStub(leader).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
        .getChunkserversList().stream().filter(ChunkserverStatus::getAlive)
        .map(ChunkserverStatus::getServerId).sorted().toList();
  }
}
