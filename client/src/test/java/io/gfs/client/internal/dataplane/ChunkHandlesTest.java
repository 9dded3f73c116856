package io.gfs.client.internal.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChunkHandlesTest {
  @Test
  void acceptsOnlyCanonicalUuids() {
    UUID u = UUID.randomUUID();
    assertThat(ChunkHandles.parse(u.toString())).isEqualTo(u);
    for (String bad : new String[] {u.toString().toUpperCase(), "1-2-3-4-5", "../x", "",
        u + "/..", u.toString().replace("-", "")}) {
      assertThatThrownBy(() -> ChunkHandles.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
