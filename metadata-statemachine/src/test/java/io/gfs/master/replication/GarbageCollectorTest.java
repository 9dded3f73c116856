package io.gfs.master.replication;

import static io.gfs.master.replication.ReplicaFixture.handle;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lazy garbage collection (GFS §4.4): orphans after a grace period, stale replicas when safe. */
class GarbageCollectorTest {
  private static final GarbageCollector.CopyTargets NONE = (h, s) -> false;

  private final ReplicaFixture f = new ReplicaFixture();
  private final GarbageCollector gc = new GarbageCollector("m1", ReplicaFixture.SETTINGS);

  @Test
  void anOrphanIsDeletedOnlyAfterItWasUnknownForTheGracePeriod() {
    String orphan = handle(99);
    f.reportHandle("cs1", orphan).reportHandle("cs2", orphan);
    Instant t0 = Instant.ofEpochMilli(1_000_000);
    assertThat(gc.collect(f.state, f.live(), t0, NONE)).isEmpty();
    assertThat(gc.collect(f.state, f.live(), t0.plusMillis(9_999), NONE))
        .as("an AllocateChunk may still be in flight").isEmpty();
    assertThat(gc.collect(f.state, f.live(), t0.plusMillis(10_000), NONE))
        .extracting(GarbageCollector.Deletion::serverId).containsExactlyInAnyOrder("cs1", "cs2");
    assertThat(gc.collect(f.state, f.live(), t0.plusMillis(10_500), NONE))
        .as("not sent again right away").isEmpty();

    gc.reset(); // a new term: a new leader starts counting again
    assertThat(gc.collect(f.state, f.live(), t0.plusMillis(60_000), NONE)).isEmpty();
  }

  @Test
  void aKnownChunkIsNeverAnOrphan() {
    f.chunk(1, List.of("cs1"), 0, 10);
    f.report("cs1", 1, 1, 10);
    Instant t0 = Instant.ofEpochMilli(1_000_000);
    gc.collect(f.state, f.live(), t0, NONE);
    assertThat(gc.collect(f.state, f.live(), t0.plusSeconds(60), NONE)).isEmpty();
  }

  @Test
  void aStaleReplicaIsDeletedOnlyWhenTheChunkHasEnoughGoodReplicasAndNoLease() {
    f.chunk(1, List.of("cs1", "cs2", "cs3"), 10_000, 100);
    f.markStale(1, "cs3");
    f.report("cs1", 1, 1, 100).report("cs2", 1, 1, 100).report("cs3", 1, 1, 40);
    Instant later = Instant.ofEpochMilli(20_000);
    assertThat(gc.collect(f.state, f.live(), later, NONE))
        .as("only 2 good replicas of 3 wanted: keep everything").isEmpty();

    f.addReplica(1, "cs4", 1, 20_000);
    f.report("cs4", 1, 1, 100);
    assertThat(gc.collect(f.state, f.live(), Instant.ofEpochMilli(5_000), NONE))
        .as("a lease may hold").isEmpty();
    assertThat(gc.collect(f.state, f.live(), later, (h, s) -> s.equals("cs3")))
        .as("a copy to cs3 is in flight").isEmpty();
    assertThat(gc.collect(f.state, f.live(), later, NONE))
        .extracting(GarbageCollector.Deletion::serverId, GarbageCollector.Deletion::handle)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("cs3", handle(1)));
  }
}
