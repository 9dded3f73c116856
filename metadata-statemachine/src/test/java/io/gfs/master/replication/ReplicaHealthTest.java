package io.gfs.master.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.master.registry.ChunkserverRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Counting good replicas: a chunk being appended to is not under-replicated because a replica's
 * last heartbeat predates the primary's latest commit report (RejoinUnderAppendsTest waited for
 * a count of 0 that such a chunk reached only by chance); an idle chunk's short replica is.
 */
class ReplicaHealthTest {
  private static final long LEASE_EXPIRY_MS = 100_000;
  private static final Instant LEASED = Instant.ofEpochMilli(LEASE_EXPIRY_MS - 1_000);
  private static final Instant EXPIRED = Instant.ofEpochMilli(
      LEASE_EXPIRY_MS + ReplicaFixture.SETTINGS.leaseMargin().toMillis() + 1);

  private final ReplicaFixture f = new ReplicaFixture();

  @Test
  void whileTheLeaseMayHoldAMemberAtTheVersionIsGoodWhateverLengthItLastReported() {
    f.chunk(1, List.of("cs1", "cs2", "cs3"), LEASE_EXPIRY_MS, 4096);
    f.report("cs1", 1, 1, 4096).report("cs2", 1, 1, 3968).report("cs3", 1, 1, 4096);

    assertThat(good(LEASED)).isEqualTo(3);
  }

  @Test
  void withoutALeaseAMemberShortOfTheCommittedLengthIsNotGood() {
    f.chunk(1, List.of("cs1", "cs2", "cs3"), LEASE_EXPIRY_MS, 4096);
    f.report("cs1", 1, 1, 4096).report("cs2", 1, 1, 3968).report("cs3", 1, 1, 4096);

    assertThat(good(EXPIRED)).isEqualTo(2);
  }

  @Test
  void evenUnderALeaseAnOldVersionAnAbsentReplicaOrADeadServerIsNotGood() {
    f.chunk(1, List.of("cs1", "cs2", "cs3", "cs4"), LEASE_EXPIRY_MS, 4096);
    f.report("cs1", 1, 1, 4096).report("cs2", 1, 0, 4096).server("cs3");
    Map<String, ChunkserverRecord> live = f.live(); // cs4 reported nothing: not live

    assertThat(good(LEASED, live)).isEqualTo(1);
  }

  private int good(Instant now) {
    return good(now, f.live());
  }

  private int good(Instant now, Map<String, ChunkserverRecord> live) {
    int[] out = new int[1];
    f.state.countChunksWhere(c -> {
      out[0] = ReplicaHealth.goodCount(c, live, now, ReplicaFixture.SETTINGS.leaseMargin());
      return true;
    });
    return out[0];
  }
}
