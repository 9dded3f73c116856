package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.DataPlaneHarness.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gfs.client.internal.dataplane.DataPlaneException;
import io.gfs.client.internal.dataplane.DataPlaneStatus;
import io.gfs.client.internal.dataplane.WriteResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopping data-plane server (a rolling restart's SIGTERM) lets the writes it accepted finish
 * and refuses new ones with a definite "not done", instead of cutting an append mid-commit.
 */
class GracefulStopTest {
  @TempDir Path dir;

  @Test
  void anAcceptedAppendCompletesWhileTheServerStopsAndNewOnesAreRefused() throws Exception {
    DataPlaneHarness h = new DataPlaneHarness(dir);
    Thread closer = null;
    try {
      UUID chunk = UUID.randomUUID();
      h.ops.create(chunk.toString(), 1);
      CompletableFuture<Void> release = new CompletableFuture<>();
      CountDownLatch committing = new CountDownLatch(1);
      h.ops.finishGate = () -> {
        committing.countDown();
        return committing.getCount() == 0 && !release.isDone() ? release
            : FakeChunkOperations.done();
      };
      byte[] record = "record-1".getBytes(StandardCharsets.UTF_8);
      CompletableFuture<WriteResult> inFlight = h.client.append(h.address, chunk, 1,
          ByteBuffer.wrap(record), DEADLINE);
      assertThat(committing.await(60, TimeUnit.SECONDS)).isTrue();

      closer = new Thread(h.server::close, "test-closer");
      closer.start();
      await().atMost(Duration.ofSeconds(60)).until(h.server::stopping);
      // The connection stays open while the server drains: a new append on it is refused
      // (after its data, so the client keeps the connection and the accepted append's reply).
      assertThatThrownBy(() -> h.client.append(h.address, chunk, 1,
          ByteBuffer.wrap(new byte[200_000]), DEADLINE).join())
          .hasCauseInstanceOf(DataPlaneException.class)
          .satisfies(e -> assertThat(((DataPlaneException) e.getCause()).status())
              .isEqualTo(DataPlaneStatus.NOT_PRIMARY));
      assertThat(closer.isAlive()).as("close waits for the accepted append").isTrue();
      assertThat(inFlight).isNotDone();

      release.complete(null);
      WriteResult done = inFlight.get(60, TimeUnit.SECONDS);
      assertThat(done.offset()).isZero();
      closer.join(60_000);
      assertThat(closer.isAlive()).isFalse();
      assertThat(Arrays.copyOf(h.ops.contents(chunk.toString()), record.length))
          .isEqualTo(record);
      assertThat(h.ops.committedLength(chunk.toString(), 1)).isEqualTo(record.length);
    } finally {
      if (closer != null) {
        closer.join(60_000);
      }
      h.close();
    }
  }

  @Test
  void aStoppingServerSaysGoingAwayAndExecutesNothingSentAfterIt() throws Exception {
    DataPlaneHarness h = new DataPlaneHarness(dir);
    Thread closer = new Thread(h.server::close, "test-closer");
    try (RawConnection raw = new RawConnection(h.address)) {
      UUID chunk = UUID.randomUUID();
      h.ops.create(chunk.toString(), 1);
      raw.send(RawFrames.ping(1));
      assertThat(raw.readFrame().type()).isEqualTo(WireFormat.REPLY_BIT | WireFormat.PING);

      closer.start();
      RawConnection.Frame goingAway = raw.readFrame();
      assertThat(goingAway.type()).isEqualTo(WireFormat.ERROR);
      assertThat(goingAway.requestId()).isEqualTo(WireFormat.CONNECTION_REQUEST_ID);
      assertThat(goingAway.status()).isEqualTo(Status.GOING_AWAY.wireCode());

      // A request that crossed the GOING_AWAY frame on the wire is read and dropped unexecuted,
      // and the connection then ends without an answer for it (the client retries it elsewhere).
      byte[] record = "late".getBytes(StandardCharsets.UTF_8);
      raw.send(RawFrames.beginWrite(2, true, chunk, 1, -1, record.length, crc32c(record)));
      raw.send(RawFrames.data(2, record));
      assertThat(raw.closedByServer()).isTrue();
      closer.join(60_000);
      assertThat(closer.isAlive()).isFalse();
      assertThat(h.ops.committedLength(chunk.toString(), 1)).isZero();
    } finally {
      closer.join(60_000);
      h.close();
    }
  }

  @Test
  void anAcceptedAppendStillRunningAfterTheDrainIsAnsweredOutcomeUnknown() throws Exception {
    DataPlaneHarness h = new DataPlaneHarness(dir);
    CompletableFuture<Void> never = new CompletableFuture<>();
    try {
      UUID chunk = UUID.randomUUID();
      h.ops.create(chunk.toString(), 1);
      CountDownLatch committing = new CountDownLatch(1);
      h.ops.finishGate = () -> {
        committing.countDown();
        return never;
      };
      CompletableFuture<WriteResult> stuck = h.client.append(h.address, chunk, 1,
          ByteBuffer.wrap(new byte[100]), DEADLINE);
      assertThat(committing.await(60, TimeUnit.SECONDS)).isTrue();

      h.server.close(); // waits DRAIN_MAX for the stuck append, then goes away
      // TIMEOUT (the append may yet commit), never GOING_AWAY ("not executed, retry"): a retry
      // of an append whose outcome is unknown could write the record twice.
      assertThatThrownBy(() -> stuck.get(60, TimeUnit.SECONDS))
          .hasCauseInstanceOf(DataPlaneException.class)
          .satisfies(e -> assertThat(((DataPlaneException) e.getCause()).status())
              .isEqualTo(DataPlaneStatus.TIMEOUT));
    } finally {
      never.complete(null);
      h.close();
    }
  }

  private static int crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
