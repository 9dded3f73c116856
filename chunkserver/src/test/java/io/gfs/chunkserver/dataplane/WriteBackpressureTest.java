package io.gfs.chunkserver.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A slow write session must hold the sender back, not make the server buffer its data. */
class WriteBackpressureTest {
  private static final int FRAME = DataPlaneHarness.FRAME_BYTES;
  private static final int FRAMES = 1024; // 64 MiB in total

  @TempDir Path dir;

  @Test
  void aSlowSessionStopsTheServerReadingInsteadOfBuffering() throws Exception {
    try (DataPlaneHarness h = new DataPlaneHarness(dir)) {
      UUID chunk = UUID.randomUUID();
      h.ops.create(chunk.toString(), 1);
      ConcurrentLinkedQueue<CompletableFuture<Void>> held = new ConcurrentLinkedQueue<>();
      h.ops.pieceGate = () -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        held.add(f);
        return f;
      };
      byte[] frame = new byte[FRAME];
      new Random(42).nextBytes(frame);
      CRC32C crc = new CRC32C();
      for (int i = 0; i < FRAMES; i++) {
        crc.update(frame);
      }
      AtomicLong framesSent = new AtomicLong();
      AtomicReference<Throwable> senderFailure = new AtomicReference<>();
      try (RawConnection c = new RawConnection(h.address)) {
        Thread sender = new Thread(() -> {
          try {
            c.send(RawFrames.beginWrite(1, false, chunk, 1, 0, (long) FRAME * FRAMES,
                (int) crc.getValue()));
            for (int i = 0; i < FRAMES; i++) {
              c.send(RawFrames.data(1, frame));
              framesSent.incrementAndGet();
            }
          } catch (Throwable t) {
            senderFailure.set(t);
          }
        }, "test-slow-writer");
        sender.setDaemon(true);
        sender.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> held.size() == 1);
        // While the first piece is held, the server takes no second piece and the sender is
        // stuck once the socket buffers are full: a few MiB, nowhere near the 64 MiB it has.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(60)).until(() ->
            held.size() == 1 && h.ops.piecesReceived.get() == 1);
        assertThat(framesSent.get()).isLessThan(FRAMES / 2);
        assertThat(sender.isAlive()).isTrue();

        h.ops.pieceGate = () -> CompletableFuture.completedFuture(null);
        held.poll().complete(null);
        RawConnection.Frame reply = c.readFrame();
        assertThat(reply.type()).as("reply %s", reply.message())
            .isEqualTo(WireFormat.REPLY_BIT | WireFormat.WRITE);
        sender.join(60_000);
        assertThat(senderFailure.get()).isNull();
        assertThat(h.ops.committedLength(chunk.toString(), 1)).isEqualTo((long) FRAME * FRAMES);
        assertThat(h.ops.piecesInFlightMax.get()).isEqualTo(1);
      }
    }
  }

  @Test
  void aClientThatDisconnectsMidWriteAbortsTheSession() throws Exception {
    try (DataPlaneHarness h = new DataPlaneHarness(dir)) {
      UUID chunk = UUID.randomUUID();
      h.ops.create(chunk.toString(), 1);
      try (RawConnection c = new RawConnection(h.address)) {
        c.send(RawFrames.beginWrite(1, true, chunk, 1, -1, 200_000, 0));
        c.send(RawFrames.data(1, new byte[FRAME]));
        await().atMost(Duration.ofSeconds(60)).until(() -> h.ops.piecesReceived.get() == 1);
      }
      await().atMost(Duration.ofSeconds(60))
          .until(() -> h.ops.aborts.contains("client disconnected"));
      assertThat(h.ops.committedLength(chunk.toString(), 1)).isZero();
    }
  }
}
