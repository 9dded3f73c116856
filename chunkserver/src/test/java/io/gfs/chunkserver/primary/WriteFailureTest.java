package io.gfs.chunkserver.primary;

import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.failure;
import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.get;
import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteSession;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.gfs.chunkserver.testing.TestCluster;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures on the write path leave no holes, duplicates or reset offsets. */
class WriteFailureTest {
  private static final long CHUNK = 1 << 20;
  @TempDir Path dir;
  private TestCluster cluster;
  private final String handle = UUID.randomUUID().toString();

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void restartedPrimaryContinuesAtTheCommittedLength() throws Exception {
    // LESSONS #5: the offset allocator must not restart at 0.
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    get(cluster.write(0, handle, 1, -1, record(3000, 1)));
    cluster.stop(0);
    cluster.start(0);
    cluster.master.assign(handle, 2, "cs1", cluster.locations(0, 1, 2));
    assertThat(get(cluster.write(0, handle, 2, -1, record(10, 2))).offset()).isEqualTo(3000);
    assertThat(cluster.committedBytes(2, handle)).isEqualTo(cluster.committedBytes(0, handle));
  }

  @Test
  void abortedWriteLeavesNothingAndTheNextAppendTakesItsPlace() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    get(cluster.write(0, handle, 1, -1, record(100, 1)));
    byte[] partial = record(5000, 2);
    WriteSession s = cluster.node(0).operations().beginWrite(handle, 1, -1, partial.length,
        Crc32cBlocks.crc(partial, 0, partial.length));
    s.onData(Unpooled.wrappedBuffer(partial, 0, 2000)).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    s.abort("client went away");
    CompletableFuture<WriteOutcome> aborted = s.finish().toCompletableFuture();
    assertThat(failure(aborted)).isEqualTo(ChunkException.Code.INVALID_ARGUMENT);

    assertThat(get(cluster.write(0, handle, 1, -1, record(10, 3))).offset()).isEqualTo(100);
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.committedBytes(i, handle)).hasSize(110);
      Path staging = dir.resolve(TestCluster.id(i)).resolve("staging");
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        try (var files = Files.list(staging)) {
          return files.findAny().isEmpty();
        }
      });
    }
  }

  @Test
  void aSlowClientDoesNotHoldUpTheAppendsBehindIt() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    byte[] slow = record(5000, 1);
    WriteSession s = cluster.node(0).operations().beginWrite(handle, 1, -1, slow.length,
        Crc32cBlocks.crc(slow, 0, slow.length));
    s.onData(Unpooled.wrappedBuffer(slow, 0, 1000)).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    // another client's append completes while the slow one is still sending
    assertThat(get(cluster.write(0, handle, 1, -1, record(300, 2))).offset()).isZero();
    s.onData(Unpooled.wrappedBuffer(slow, 1000, 4000)).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    assertThat(s.finish().toCompletableFuture().get(60, TimeUnit.SECONDS).offset())
        .isEqualTo(300);
    assertThat(cluster.committedBytes(2, handle)).isEqualTo(cluster.committedBytes(0, handle))
        .hasSize(5300);
  }

  @Test
  void writeWithWrongChecksumIsNeverCommitted() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    byte[] data = record(1000, 1);
    WriteSession s = cluster.node(0).operations().beginWrite(handle, 1, -1, data.length,
        Crc32cBlocks.crc(data, 0, data.length) ^ 1);
    s.onData(Unpooled.wrappedBuffer(data)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(failure(s.finish().toCompletableFuture()))
        .isEqualTo(ChunkException.Code.CHECKSUM_MISMATCH);
    assertThat(get(cluster.write(0, handle, 1, -1, record(10, 2))).offset()).isZero();
  }

  @Test
  void lostQuorumFailsTheWriteAndTheAllocatorRewinds() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    get(cluster.write(0, handle, 1, -1, record(100, 1)));
    cluster.stop(1);
    cluster.stop(2);
    assertThat(failure(cluster.write(0, handle, 1, -1, record(50, 2))))
        .isEqualTo(ChunkException.Code.QUORUM_FAILED);
    assertThat(cluster.node(0).store().state(handle).orElseThrow().committedLength())
        .isEqualTo(100);
    // The same replicas come back (same ports are not guaranteed, so a new lease names them).
    cluster.start(1);
    cluster.start(2);
    cluster.master.assign(handle, 2, "cs1", cluster.locations(0, 1, 2));
    assertThat(get(cluster.write(0, handle, 2, -1, record(10, 3))).offset()).isEqualTo(100);
  }
}
