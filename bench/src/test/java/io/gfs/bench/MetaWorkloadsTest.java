package io.gfs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetaWorkloadsTest {

  @Test
  void fileNamesAreTheDefinitionsZeroPaddedSixDigits() {
    for (int i : new int[] {0, 7, 42, 999, 10_000, 99_999, 123_456, 1_234_567}) {
      assertThat(MetaWorkloads.file("/bench/meta/r0-t8", i))
          .isEqualTo(String.format("%s/f-%06d", "/bench/meta/r0-t8", i));
    }
    assertThat(MetaWorkloads.file("/d", 5)).isEqualTo("/d/f-000005");
  }
}
