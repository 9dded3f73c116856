package io.gfs.master.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.master.registry.ChunkserverRegistry;
import io.gfs.master.registry.ReplicaReport;
import io.gfs.master.registry.ResourceSample;
import io.gfs.master.registry.ServerAddress;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which returning server the master names for a chunk whose lease keeps being renewed. */
class RejoinHintsTest {
  private static final String HANDLE = "00000000-0000-0000-0000-000000000001";
  private final AtomicLong nowMs = new AtomicLong(1_000_000);
  private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
  private final ChunkserverRegistry registry =
      new ChunkserverRegistry("m1", clock, Duration.ofSeconds(10));
  private final RejoinHints hints = new RejoinHints(registry, clock, Duration.ofSeconds(10));

  private void register(String id, long reportedVersion) {
    List<ReplicaReport> reports = reportedVersion < 0 ? List.of()
        : List.of(new ReplicaReport(HANDLE, reportedVersion, 100, false, 0));
    registry.register(id, new ServerAddress("127.0.0.1", 1, 2, 3), "",
        new ResourceSample(0, 0, 0, 0, 0, 1L << 30), reports);
  }

  private static ChunkInfo chunk(long version, String... replicas) {
    ChunkInfo.Builder b = ChunkInfo.newBuilder().setHandle(HANDLE).setVersion(version)
        .setPrimary(replicas[0]).setLeaseExpiryMs(2_000_000);
    for (String r : replicas) {
      b.addReplicas(ChunkLocation.newBuilder().setServerId(r));
    }
    return b.build();
  }

  @Test
  void namesALiveServerThatStillReportsTheChunk() {
    register("cs1", 3);
    register("cs2", 3);
    register("cs3", 2);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2"))).get()
        .extracting(ChunkLocation::getServerId).isEqualTo("cs3");
  }

  @Test
  void namesNobodyWhenTheChunkHasItsReplicasOrNobodyHasACopy() {
    register("cs1", 3);
    register("cs2", 3);
    register("cs3", -1);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2"))).as("cs3 has no copy").isEmpty();
    register("cs3", 0);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2"))).as("a copy being built").isEmpty();
    register("cs3", 4);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2"))).as("a newer version").isEmpty();
    register("cs3", 3);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2", "cs3"))).as("fully replicated").isEmpty();
    assertThat(hints.candidate(chunk(3, "cs1", "cs2").toBuilder().setSealed(true).build()))
        .as("sealed: re-replication's job").isEmpty();
  }

  @Test
  void hintsAChunkAgainOnlyAfterTheRetryDelay() {
    register("cs1", 3);
    register("cs2", 3);
    register("cs3", 3);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2"))).isPresent();
    nowMs.addAndGet(5_000);
    register("cs1", 3); // keep them live at the new time
    register("cs2", 3);
    register("cs3", 3);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2"))).isEmpty();
    nowMs.addAndGet(5_000);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2"))).isPresent();
  }

  @Test
  void aDeadServerIsNotNamed() {
    register("cs1", 3);
    register("cs2", 3);
    register("cs3", 3);
    nowMs.addAndGet(11_000);
    register("cs1", 3);
    register("cs2", 3);
    assertThat(hints.candidate(chunk(3, "cs1", "cs2"))).isEmpty();
  }
}
