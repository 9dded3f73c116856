package io.gfs.chunkserver.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.gfs.chunkserver.storage.StageFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaEngineTest {
  @TempDir Path dir;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      r -> new Thread(r, "test-timer"));
  private final String handle = UUID.randomUUID().toString();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private Mutation stage(ReplicaEngine engine, long version, long seq, long prev, long offset,
      byte[] data) {
    Mutation m = new Mutation(handle, version, "p", seq, prev, offset, data.length,
        Crc32cBlocks.crc(data, 0, data.length), 100 + seq);
    StageFile s = engine.beginStage(m);
    s.write(ByteBuffer.wrap(data));
    s.complete();
    return m;
  }

  @Test
  void commitsArrivingOutOfOrderAreAppliedInSequence() throws Exception {
    ReplicaEngine engine = new ReplicaEngine("r1", ChunkStore.open("r1", dir), timer,
        Duration.ofSeconds(30), 16, () -> 1 << 20);
    Mutation m1 = stage(engine, 1, 1, 0, 0, "aaaa".getBytes());
    Mutation m2 = stage(engine, 1, 2, 1, 4, "bbb".getBytes());
    Mutation m3 = stage(engine, 1, 3, 2, 7, "cc".getBytes());

    CompletableFuture<ChunkMeta> c3 = engine.commit(m3);
    CompletableFuture<ChunkMeta> c2 = engine.commit(m2);
    assertThat(c3).isNotDone();
    assertThat(c2).isNotDone();
    assertThat(engine.state(handle).orElseThrow().committedLength()).isZero();

    engine.commit(m1).get(10, TimeUnit.SECONDS);
    assertThat(c2.get(10, TimeUnit.SECONDS).committedLength()).isEqualTo(7);
    ChunkMeta last = c3.get(10, TimeUnit.SECONDS);
    assertThat(last.committedLength()).isEqualTo(9);
    assertThat(last.committedSequence()).isEqualTo(3);
    byte[] all = engine.store().readCommitted(handle, 0, 100);
    assertThat(new String(all)).isEqualTo("aaaabbbcc");
  }

  @Test
  void stageAndCommitWithAnOlderVersionAreRejected() throws Exception {
    ReplicaEngine engine = new ReplicaEngine("r1", ChunkStore.open("r1", dir), timer,
        Duration.ofSeconds(30), 16, () -> 1 << 20);
    Mutation old = stage(engine, 1, 1, 0, 0, "x".getBytes());
    engine.setVersion(handle, 2);
    assertThatThrownBy(() -> stage(engine, 1, 2, 0, 0, "y".getBytes()))
        .isInstanceOf(ChunkException.class)
        .extracting(e -> ((ChunkException) e).code())
        .isEqualTo(ChunkException.Code.STALE_VERSION);
    assertThat(engine.commit(old)).failsWithin(Duration.ofSeconds(10));
    assertThat(engine.state(handle).orElseThrow().committedLength()).isZero();
  }

  @Test
  void earlyCommitGivesUpAfterItsDeadline() throws Exception {
    ReplicaEngine engine = new ReplicaEngine("r1", ChunkStore.open("r1", dir), timer,
        Duration.ofMillis(200), 16, () -> 1 << 20);
    stage(engine, 1, 1, 0, 0, "a".getBytes());
    Mutation m2 = stage(engine, 1, 2, 1, 1, "b".getBytes());
    assertThat(engine.commit(m2)).failsWithin(Duration.ofSeconds(30));
  }

  @Test
  void hostileLengthsAndHandlesAreRejectedBeforeStaging() throws Exception {
    // (a huge offset is refused at commit: it is never the committed length)
    ReplicaEngine engine = new ReplicaEngine("r1", ChunkStore.open("r1", dir), timer,
        Duration.ofSeconds(30), 16, () -> 1 << 20);
    assertThatThrownBy(() -> engine.beginStage(Mutation.staged(handle, 1, "p", Long.MAX_VALUE,
        0, 1))).isInstanceOf(ChunkException.class);
    assertThatThrownBy(() -> engine.beginStage(Mutation.staged("../../x", 1, "p", 2, 0, 1)))
        .isInstanceOf(ChunkException.class);
    assertThatThrownBy(() -> new Mutation(handle, 1, "p", 1, 0, -5, 2, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(engine.state(handle)).isEmpty();
  }

  @Test
  void aWritesRequestedOffsetTravelsInTheStageHeaderAndStagesTheReplicaInPlace()
      throws Exception {
    ReplicaEngine engine = new ReplicaEngine("r1", ChunkStore.open("r1", dir), timer,
        Duration.ofSeconds(30), 16, () -> 1 << 20);
    byte[] data = new byte[200_000];
    new java.util.Random(7).nextBytes(data);
    Mutation sent = Mutation.staged(handle, 1, "p", data.length,
        Crc32cBlocks.crc(data, 0, data.length), 9, 0);
    Mutation received = Mutation.fromProto(sent.toProto());
    assertThat(received).isEqualTo(sent);
    assertThat(Mutation.fromProto(Mutation.staged(handle, 1, "p", 5, 0, 9).toProto())
        .requestedOffset()).as("an append has none").isEqualTo(-1);

    StageFile stage = engine.beginStage(received);
    assertThat(stage.isInPlace()).isTrue();
    stage.write(ByteBuffer.wrap(data));
    stage.complete();
    ChunkMeta after = engine.commit(received.ordered(1, 0, 0)).get(10, TimeUnit.SECONDS);
    assertThat(after.committedLength()).isEqualTo(data.length);
  }
}
