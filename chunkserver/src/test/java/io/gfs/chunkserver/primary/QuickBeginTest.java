package io.gfs.chunkserver.primary;

import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.get;
import static io.gfs.chunkserver.primary.TwoPhaseCommitTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteSession;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.gfs.chunkserver.testing.TestCluster;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick begin that the data plane may call on its event loop: taken only when nothing needs
 * the disk or a wait, and then a write like any other.
 */
class QuickBeginTest {
  private static final long CHUNK = 4 << 20;
  @TempDir Path dir;
  private TestCluster cluster;
  private final String handle = UUID.randomUUID().toString();

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private WriteEngine primaryEngine() {
    return (WriteEngine) cluster.node(0).operations();
  }

  @Test
  void quickOnlyUnderAHeldLeaseForSmallWritesAndThenCommitsOnEveryReplica() throws Exception {
    cluster = new TestCluster(dir, 3, CHUNK);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0, 1, 2));
    byte[] small = record(4096, 1);
    int crc = Crc32cBlocks.crc(small, 0, small.length);
    // no lease yet: claiming it waits for the master, so not quick
    assertThat(primaryEngine().tryBeginWriteQuickly(handle, 1, -1, small.length, crc)).isNull();
    get(cluster.write(0, handle, 1, -1, record(100, 2))); // claims the lease

    WriteSession quick = primaryEngine().tryBeginWriteQuickly(handle, 1, -1, small.length, crc);
    assertThat(quick).isNotNull();
    quick.onData(Unpooled.wrappedBuffer(small));
    WriteOutcome o = quick.finish().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(o.offset()).isEqualTo(100);
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.state(i, handle).committedLength()).isEqualTo(100 + small.length);
    }

    // too large for an in-memory stage, another version, or an unknown chunk: the slow path
    assertThat(primaryEngine().tryBeginWriteQuickly(handle, 1, -1, 1 << 20, 0)).isNull();
    assertThat(primaryEngine().tryBeginWriteQuickly(handle, 2, -1, small.length, crc)).isNull();
    assertThat(primaryEngine().tryBeginWriteQuickly(UUID.randomUUID().toString(), 1, -1,
        small.length, crc)).isNull();
    // a bad request fails as beginWrite fails
    assertThatThrownBy(() -> primaryEngine().tryBeginWriteQuickly(handle, 1, -2, small.length, crc))
        .isInstanceOf(ChunkException.class);
  }
}
