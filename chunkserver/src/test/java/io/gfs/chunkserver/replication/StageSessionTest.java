package io.gfs.chunkserver.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secondary's stage taken over the data plane (STAGE). */
class StageSessionTest {
  @TempDir Path dir;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      r -> new Thread(r, "test-timer"));
  private final ExecutorService io = Executors.newSingleThreadExecutor(
      r -> new Thread(r, "test-io"));
  private final String handle = UUID.randomUUID().toString();

  @AfterEach
  void stop() {
    timer.shutdownNow();
    io.shutdownNow();
  }

  private ReplicaEngine engine() throws Exception {
    return new ReplicaEngine("r1", ChunkStore.open("r1", dir), timer, Duration.ofSeconds(30), 16,
        () -> 1 << 20);
  }

  @Test
  void aReadyStageOutlivesItsConnectionAndCommits() throws Exception {
    ReplicaEngine engine = engine();
    byte[] data = "hello, replica".getBytes();
    Mutation m = Mutation.staged(handle, 1, "p", data.length,
        Crc32cBlocks.crc(data, 0, data.length), 7);
    StageSession s = new StageSession(engine, m, engine.beginStage(m), io);
    s.onData(Unpooled.wrappedBuffer(data, 0, 5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    s.onData(Unpooled.wrappedBuffer(data, 5, data.length - 5)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    s.finish().toCompletableFuture().get(10, TimeUnit.SECONDS); // READY
    s.abort("client disconnected"); // the primary closed the connection after READY
    io.submit(() -> { }).get(10, TimeUnit.SECONDS); // whatever abort handed to the I/O pool ran
    assertThat(engine.commit(m.ordered(1, 0, 0)).get(10, TimeUnit.SECONDS).committedLength())
        .isEqualTo(data.length);
    assertThat(engine.store().readCommitted(handle, 0, 100)).isEqualTo(data);
  }

  @Test
  void aStageAbortedBeforeReadyIsDroppedAndAWrongChecksumIsNotReady() throws Exception {
    ReplicaEngine engine = engine();
    byte[] data = new byte[100];
    Mutation m = Mutation.staged(handle, 1, "p", data.length, 12345, 8); // wrong CRC32C
    StageSession s = new StageSession(engine, m, engine.beginStage(m), io);
    s.onData(Unpooled.wrappedBuffer(data)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> s.finish().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .hasMessageContaining("CRC32C");

    Mutation m2 = Mutation.staged(handle, 1, "p", data.length,
        Crc32cBlocks.crc(data, 0, data.length), 9);
    StageSession s2 = new StageSession(engine, m2, engine.beginStage(m2), io);
    s2.onData(Unpooled.wrappedBuffer(data, 0, 10));
    s2.abort("deadline passed");
    assertThatThrownBy(() -> s2.finish().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .hasMessageContaining("aborted");
    // dropped: the commit finds no stage
    assertThatThrownBy(() -> engine.commit(m2.ordered(1, 0, 0)).get(10, TimeUnit.SECONDS))
        .hasMessageContaining("stage");
  }
}
