package io.gfs.it.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.GfsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessClusterSmokeTest {
  @Test
  void startsAppendsAndStops() {
    boolean ns = Boolean.getBoolean("gfs.fault.smoke.ns");
    ClusterSpec spec = ns ? ClusterSpec.defaults().withNamespaces() : ClusterSpec.defaults();
    try (ProcessCluster c = ProcessCluster.start(spec, ProcessCluster.runDir("smoke", 0));
        GfsClient client = c.client(Duration.ofSeconds(20), Duration.ofSeconds(2))) {
      long off = client.appendFile("/smoke/a", new byte[] {1, 2, 3});
      assertThat(client.read("/smoke/a", off, 3)).containsExactly(1, 2, 3);
      System.out.println("smoke leader=" + c.leader() + " term=" + c.maxTerm());
    }
  }
}
