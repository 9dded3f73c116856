package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommonPoolTest {

  @Test
  void raisesTheDefaultToTwoWhereTheJdkWouldPickLess() {
    assertThat(CommonPool.parallelismToSet(null, 1)).hasValue(2);
    assertThat(CommonPool.parallelismToSet(null, 2)).hasValue(2);
  }

  @Test
  void leavesTheJdkDefaultAloneOnLargerMachines() {
    assertThat(CommonPool.parallelismToSet(null, 3)).isEmpty();
    assertThat(CommonPool.parallelismToSet(null, 64)).isEmpty();
  }

  @Test
  void keepsWhatTheOperatorConfigured() {
    assertThat(CommonPool.parallelismToSet("1", 2)).isEmpty();
    assertThat(CommonPool.parallelismToSet("8", 2)).isEmpty();
  }
}
