package io.gfs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The arithmetic the table is made of (nothing is run). */
class StatsTest {
  @Test
  void nearestRankPercentiles() {
    long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    assertThat(Stats.percentile(sorted, 50)).isEqualTo(50);
    assertThat(Stats.percentile(sorted, 99)).isEqualTo(100);
    assertThat(Stats.percentile(sorted, 10)).isEqualTo(10);
    assertThat(Stats.percentile(new long[0], 50)).isNaN();
  }

  @Test
  void medianAndTheMedianRun() {
    List<Double> runs = List.of(3.0, 1.0, 2.0);
    assertThat(Stats.median(runs)).isEqualTo(2.0);
    assertThat(Stats.medianIndex(runs)).isEqualTo(2);
    assertThat(Stats.median(List.of(1.0, 3.0))).isEqualTo(2.0);
    assertThat(Stats.min(runs)).isEqualTo(1.0);
    assertThat(Stats.max(runs)).isEqualTo(3.0);
  }
}
