package io.gfs.chunkserver.primary;

import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.chunkserver.testing.FakeMaster;
import io.gfs.chunkserver.testing.TestCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseRenewalTest {
  @TempDir Path dir;

  @Test
  void leaseIsRenewedWhileWritesContinueWithoutClaimingAgain() throws Exception {
    String handle = UUID.randomUUID().toString();
    // a 4 s lease, renewed when less than 2 s is left (TestCluster.FAST)
    try (TestCluster cluster = new TestCluster(dir, 1, 1 << 20,
        new FakeMaster(4_000, 1 << 20), List.of())) {
      cluster.master.assign(handle, 1, "cs1", cluster.locations(0));
      long offset = 0;
      long deadline = System.nanoTime() + 60_000_000_000L;
      // Bounded so the 1 MiB chunk never fills (100,000 x 10 bytes), however fast writes are.
      for (int i = 0; i < 100_000 && cluster.master.renewCalls.get() < 2
          && System.nanoTime() < deadline; i++) {
        assertThat(get(cluster.write(0, handle, 1, -1, new byte[10])).offset())
            .isEqualTo(offset);
        offset += 10;
      }
      assertThat(cluster.master.renewCalls.get()).isGreaterThanOrEqualTo(2);
      assertThat(cluster.master.claimCalls.get()).isEqualTo(1);
    }
  }
}
