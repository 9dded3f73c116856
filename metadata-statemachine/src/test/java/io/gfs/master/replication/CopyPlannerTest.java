package io.gfs.master.replication;

import static io.gfs.master.replication.ReplicaFixture.handle;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Re-replication planning (GFS §4.3): which chunks, from where, to where, how many. */
class CopyPlannerTest {
  private final ReplicaFixture f = new ReplicaFixture();
  private final CopyPlanner planner = new CopyPlanner(ReplicaFixture.SETTINGS,
      ReplicaFixture.CHUNK_BYTES, new Random(7));

  @Test
  void aChunkUnderAnActiveLeaseIsNotCopiedUntilTheLeaseEnds() {
    f.chunk(1, List.of("cs1", "cs2", "cs3"), 10_000, 100);
    f.markStale(1, "cs3");  // missed a commit under the lease
    f.report("cs1", 1, 1, 100).report("cs2", 1, 1, 100).report("cs3", 1, 1, 40);

    assertThat(planner.plan(f.state, f.live(), new CopyTracker(), Instant.ofEpochMilli(9_000)))
        .as("lease valid until 10000").isEmpty();
    assertThat(planner.plan(f.state, f.live(), new CopyTracker(), Instant.ofEpochMilli(10_400)))
        .as("within the clock-skew margin after the expiry").isEmpty();

    List<CopyPlanner.Plan> plans = planner.plan(f.state, f.live(), new CopyTracker(),
        Instant.ofEpochMilli(10_600));
    assertThat(plans).hasSize(1);
    assertThat(plans.get(0).source().serverId()).isIn("cs1", "cs2");
    assertThat(plans.get(0).target().serverId())
        .as("the server with the stale copy is a fine target").isEqualTo("cs3");
    assertThat(plans.get(0).chunk().getVersion()).isEqualTo(1);
  }

  @Test
  void aCopyAddedWhileALeaseMayHoldIsIgnoredByTheState() {
    f.chunk(1, List.of("cs1", "cs2", "cs3"), 10_000, 100);
    f.markStale(1, "cs3");
    assertThat(f.addReplica(1, "cs3", 1, 9_999).getCount()).isZero();
    assertThat(f.addReplica(1, "cs3", 0, 20_000).getCount()).as("old version").isZero();
    assertThat(f.addReplica(1, "cs3", 1, 20_000).getCount()).isEqualTo(1);
  }

  @Test
  void throttlesCopiesPerTargetAndOverall() {
    for (int n = 1; n <= 30; n++) {
      f.chunk(n, List.of("cs1", "cs2"), 0, 10);
      f.report("cs1", n, 1, 10).report("cs2", n, 1, 10);
    }
    f.server("cs3").server("cs4");
    List<CopyPlanner.Plan> plans = planner.plan(f.state, f.live(), new CopyTracker(),
        Instant.ofEpochMilli(5_000));
    Map<String, Long> perTarget = ReplicaFixture.targets(plans).stream()
        .collect(Collectors.groupingBy(t -> t, Collectors.counting()));
    assertThat(perTarget).containsOnlyKeys("cs3", "cs4");
    assertThat(perTarget.values()).allMatch(n -> n <= 2);
    assertThat(plans).hasSize(4);

    CopyTracker busy = new CopyTracker();
    for (int i = 0; i < 10; i++) {
      busy.add(new InFlightCopy(handle(100 + i), 1, "cs1", "cs9", 0, Instant.MAX));
    }
    assertThat(planner.plan(f.state, f.live(), busy, Instant.ofEpochMilli(5_000)))
        .as("10 copies already in flight").isEmpty();
  }

  @Test
  void theMostEndangeredChunkGoesFirst() {
    ReplicationSettings oneCopy = new ReplicationSettings(ReplicaFixture.SETTINGS.period(),
        ReplicaFixture.SETTINGS.copyTimeout(), ReplicaFixture.SETTINGS.safeModeMax(),
        ReplicaFixture.SETTINGS.orphanGrace(), ReplicaFixture.SETTINGS.leaseMargin(), 1, 1);
    CopyPlanner one = new CopyPlanner(oneCopy, ReplicaFixture.CHUNK_BYTES, new Random(1));
    f.chunk(1, List.of("cs1", "cs2"), 0, 10);
    f.chunk(2, List.of("cs1", "cs2"), 0, 10);
    f.report("cs1", 1, 1, 10).report("cs2", 1, 1, 10).report("cs1", 2, 1, 10)
        .report("cs2", 2, 1, 5 /* behind: not good */).server("cs3");
    List<CopyPlanner.Plan> plans = one.plan(f.state, f.live(), new CopyTracker(),
        Instant.ofEpochMilli(5_000));
    assertThat(plans).hasSize(1);
    assertThat(plans.get(0).chunk().getHandle()).isEqualTo(handle(2));
    assertThat(plans.get(0).source().serverId()).as("only the good replica is a source")
        .isEqualTo("cs1");
  }

  @Test
  void aTargetThatFailedIsAvoidedAndInFlightCopiesCount() {
    f.chunk(1, List.of("cs1", "cs2"), 0, 10);
    f.report("cs1", 1, 1, 10).report("cs2", 1, 1, 10).server("cs3").server("cs4");
    CopyTracker tracker = new CopyTracker();
    Instant now = Instant.ofEpochMilli(5_000);
    InFlightCopy failed = new InFlightCopy(handle(1), 1, "cs1", "cs3", 0, now);
    tracker.add(failed);
    tracker.fail(failed, now, ReplicaFixture.SETTINGS.copyTimeout());
    assertThat(ReplicaFixture.targets(planner.plan(f.state, f.live(), tracker, now)))
        .containsExactly("cs4");
    tracker.add(new InFlightCopy(handle(1), 1, "cs1", "cs4", 0, Instant.MAX));
    assertThat(planner.plan(f.state, f.live(), tracker, now))
        .as("the one missing copy is already in flight").isEmpty();
  }
}
