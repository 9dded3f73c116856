package io.gfs.master.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RATIS.md "Soft state after a leader change": safe mode until every live server reported. */
class SafeModeTest {
  private final Instant t0 = Instant.ofEpochMilli(1_000_000);
  private final SafeMode safeMode = new SafeMode(Duration.ofSeconds(5));

  @Test
  void endsWhenEveryLiveServerReportedToTheNewLeader() {
    safeMode.leading(3, t0);
    assertThat(safeMode.active(List.of("cs1", "cs2"), t0)).isTrue();
    safeMode.heard("cs1", 3, t0);
    assertThat(safeMode.active(List.of("cs1", "cs2"), t0)).isTrue();
    safeMode.heard("cs2", 3, t0);
    assertThat(safeMode.active(List.of("cs1", "cs2"), t0)).isFalse();
  }

  @Test
  void endsAfterTheMaximumAndStartsAgainInANewTerm() {
    safeMode.leading(3, t0);
    assertThat(safeMode.active(List.of("cs1"), t0.plusMillis(4_999))).isTrue();
    assertThat(safeMode.active(List.of("cs1"), t0.plusMillis(5_000))).isFalse();
    safeMode.heard("cs1", 3, t0);
    safeMode.leading(5, t0.plusSeconds(10));
    assertThat(safeMode.active(List.of("cs1"), t0.plusSeconds(10)))
        .as("reports to an earlier term do not count").isTrue();
  }
}
