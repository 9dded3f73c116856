package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.DataPlaneHarness.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LESSONS 18: the pool really reuses connections, and recovers when the server drops one. */
class ConnectionReuseTest {
  @TempDir Path dir;

  @Test
  void sequentialCallsReuseOnePersistentConnection() throws Exception {
    try (DataPlaneHarness h = new DataPlaneHarness(dir)) {
      UUID chunk = UUID.randomUUID();
      h.ops.create(chunk.toString(), 1);
      for (int i = 0; i < 100; i++) {
        h.client.append(h.address, chunk, 1, ByteBuffer.wrap(new byte[10]), DEADLINE).join();
        h.client.read(h.address, chunk, 1, 0, 10, DEADLINE).join();
        h.client.committedLength(h.address, chunk, 1, DEADLINE).join();
      }
      assertThat(h.server.acceptedConnections()).isEqualTo(1);
    }
  }

  @Test
  void aConnectionClosedByTheServersIdleTimeoutIsReplacedOnTheNextCall() throws Exception {
    try (DataPlaneHarness h = new DataPlaneHarness(dir,
        DataPlaneHarness.serverConfig(Duration.ofSeconds(2), 64),
        DataPlaneHarness.clientConfig(1))) {
      h.client.ping(h.address, DEADLINE).join();
      await().atMost(Duration.ofSeconds(60)).until(() -> h.client.openConnections(h.address) == 0);
      h.client.ping(h.address, DEADLINE).join();
      assertThat(h.server.acceptedConnections()).isEqualTo(2);
    }
  }
}
