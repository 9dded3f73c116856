package io.gfs.master.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ChunkserverRegistryTest {

  private final AtomicLong nowMs = new AtomicLong(5_000);
  private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
  private final ChunkserverRegistry registry =
      new ChunkserverRegistry("m1", clock, Duration.ofSeconds(3));
  private final ServerAddress address = new ServerAddress("h", 1, 2, 3);

  @Test
  void heartbeatFromUnknownServerAsksForRegistration() {
    assertThat(registry.heartbeat("cs1", address, "b", ResourceSample.EMPTY, List.of())).isFalse();
    registry.register("cs1", address, "b", ResourceSample.EMPTY, List.of());
    assertThat(registry.heartbeat("cs1", address, "b", ResourceSample.EMPTY, List.of())).isTrue();
  }

  @Test
  void serverSilentPastTheExpiryIsNotLive() {
    registry.register("cs1", address, "b", ResourceSample.EMPTY,
        List.of(new ReplicaReport("h1", 2, 100, false, 0)));
    nowMs.addAndGet(3_000);
    assertThat(registry.isLive("cs1")).isTrue();
    nowMs.addAndGet(1);
    assertThat(registry.isLive("cs1")).isFalse();
    assertThat(registry.live()).isEmpty();
    assertThat(registry.get("cs1").orElseThrow().replicas().get("h1").version()).isEqualTo(2);
  }
}
