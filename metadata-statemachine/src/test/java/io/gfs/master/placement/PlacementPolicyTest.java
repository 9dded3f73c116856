package io.gfs.master.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.master.MasterException;
import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ReplicaReport;
import io.gfs.master.registry.ResourceSample;
import io.gfs.master.registry.ServerAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlacementPolicyTest {

  private final PlacementPolicy policy = new PlacementPolicy(new SplittableRandom(7));

  private static ChunkserverRecord server(String id, long free, int replicas) {
    Map<String, ReplicaReport> r = new HashMap<>();
    for (int i = 0; i < replicas; i++) {
      r.put(id + i, new ReplicaReport(id + i, 1, 0, false, 0));
    }
    return new ChunkserverRecord(id, new ServerAddress("h", 1, 2, 3), "b",
        new ResourceSample(0, 0, 0, 0, 0, free), r, Instant.EPOCH);
  }

  @Test
  void prefersLeastLoadedServersWithRoom() {
    Placement p = policy.choose(List.of(server("busy", 1000, 50), server("a", 1000, 1),
        server("b", 1000, 2), server("full", 10, 0), server("c", 1000, 3)), 100);
    assertThat(p.serverIds()).containsExactly("a", "b", "c");
    assertThat(p.warning()).isEmpty();
  }

  @Test
  void fewerServersGiveFewerReplicasWithAWarning() {
    Placement p = policy.choose(List.of(server("a", 1000, 0)), 100);
    assertThat(p.serverIds()).containsExactly("a");
    assertThat(p.warning()).contains("only 1 of 3");
  }

  @Test
  void noRoomAnywhereIsResourceExhausted() {
    assertThatThrownBy(() -> policy.choose(List.of(server("a", 10, 0)), 100))
        .isInstanceOf(MasterException.class).hasMessageContaining("bytes free");
  }
}
