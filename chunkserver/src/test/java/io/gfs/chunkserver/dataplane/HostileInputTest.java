package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.DataPlaneHarness.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.client.internal.dataplane.DataPlaneException;
import io.gfs.client.internal.dataplane.DataPlaneStatus;
import io.gfs.client.internal.dataplane.WriteResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN invariant 5 and LESSONS 13: each hostile input gets an error frame or a close, and a
 * well-behaved client keeps reading and writing on the same server before, during and after.
 */
class HostileInputTest {
  private static final Duration SERVER_IDLE = Duration.ofSeconds(2);

  @TempDir Path dir;
  private DataPlaneHarness h;
  private final UUID chunk = UUID.randomUUID();
  private long written;

  @BeforeEach
  void start() throws Exception {
    // The good client closes its idle connections long before the server would.
    h = new DataPlaneHarness(dir, DataPlaneHarness.serverConfig(SERVER_IDLE, 64),
        new io.gfs.client.internal.dataplane.DataPlaneClientConfig(1, 1024,
            DataPlaneHarness.FRAME_BYTES, 8 << 20, Duration.ofSeconds(10),
            Duration.ofMillis(300), 2));
    h.ops.create(chunk.toString(), 3);
    wellBehavedClientWorks();
  }

  @AfterEach
  void stop() {
    try {
      wellBehavedClientWorks();
    } finally {
      h.close();
    }
  }

  /** Appends a record and reads it back; retries a call the server never saw (closed race). */
  private void wellBehavedClientWorks() {
    byte[] record = new byte[1000 + (int) written % 7];
    Arrays.fill(record, (byte) written);
    WriteResult w = retry(() -> h.client.append(h.address, chunk, 3, ByteBuffer.wrap(record),
        DEADLINE).join());
    assertThat(w.offset()).isEqualTo(written);
    written = w.committedLength();
    ByteBuffer got = retry(() -> h.client.read(h.address, chunk, 3, w.offset(), record.length,
        DEADLINE).join()).data();
    assertThat(got).isEqualTo(ByteBuffer.wrap(record));
  }

  private static <T> T retry(Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (CompletionException e) {
        // A pooled connection closed by the client's own idle timer just as it was picked.
        if (attempt == 3 || !(e.getCause() instanceof DataPlaneException d)
            || d.status() != DataPlaneStatus.UNAVAILABLE) {
          throw e;
        }
      }
    }
  }

  private RawConnection raw() throws IOException {
    return new RawConnection(h.address);
  }

  private void assertErrorThenClose(byte[] input, int status) throws IOException {
    long errorsBefore = h.counter("protocol_errors");
    try (RawConnection c = raw()) {
      c.send(input);
      RawConnection.Frame f = c.readFrame();
      assertThat(f.type()).isEqualTo(WireFormat.ERROR);
      assertThat(f.status()).as("status of %s", f.message()).isEqualTo(status);
      assertThat(f.message()).isNotBlank();
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(h.counter("protocol_errors")).isEqualTo(errorsBefore + 1);
    wellBehavedClientWorks();
  }

  @Test
  void readOfLength2To63Minus1GetsInvalidArgumentAndTheConnectionLives() throws IOException {
    try (RawConnection c = raw()) {
      c.send(RawFrames.read(5, chunk, 3, 0, Long.MAX_VALUE));
      RawConnection.Frame f = c.readFrame();
      assertThat(f.requestId()).isEqualTo(5);
      assertThat(f.status()).isEqualTo(Status.INVALID_ARGUMENT.wireCode());
      wellBehavedClientWorks();
      c.send(RawFrames.ping(6));
      assertThat(c.readFrame().type()).isEqualTo(WireFormat.REPLY_BIT | WireFormat.PING);
    }
  }

  @Test
  void negativeAndHugeLengthsAndOffsetsGetInvalidArgument() throws IOException {
    try (RawConnection c = raw()) {
      c.send(RawFrames.read(1, chunk, 3, 0, -1));
      c.send(RawFrames.read(2, chunk, 3, -1, 10));
      c.send(RawFrames.beginWrite(3, false, chunk, 3, 0, Long.MAX_VALUE, 0));
      c.send(RawFrames.beginWrite(4, true, chunk, 3, -1, -5, 0));
      c.send(RawFrames.beginWrite(5, true, chunk, 3, 0, 10, 0));
      for (int id = 1; id <= 4; id++) {
        RawConnection.Frame f = c.readFrame();
        assertThat(f.requestId()).isEqualTo(id);
        assertThat(f.status()).isEqualTo(Status.INVALID_ARGUMENT.wireCode());
      }
      RawConnection.Frame f = c.readFrame();
      assertThat(f.requestId()).isEqualTo(5);
      assertThat(f.status()).isEqualTo(Status.INVALID_ARGUMENT.wireCode());
      // Request 5 declared 10 bytes: the server swallows them and the connection goes on.
      c.send(RawFrames.data(5, new byte[10]));
      c.send(RawFrames.ping(6));
      assertThat(c.readFrame().requestId()).isEqualTo(6);
    }
    assertThat(h.ops.committedLength(chunk.toString(), 3)).isEqualTo(written);
  }

  @Test
  void frameLengthOf2To32Minus1IsRefusedBeforeAnyBuffering() throws IOException {
    assertErrorThenClose(RawConnection.header(WireFormat.MAGIC, 1, WireFormat.DATA, 1,
        0xFFFF_FFFFL), Status.FRAME_TOO_LARGE.wireCode());
  }

  @Test
  void badMagicUnsupportedVersionUnknownOperationAndMalformedBodiesCloseWithAnError()
      throws IOException {
    assertErrorThenClose("GET / HTTP/1.1\r\n\r\n".getBytes(), Status.BAD_MAGIC.wireCode());
    assertErrorThenClose(RawConnection.header(WireFormat.MAGIC, 9, WireFormat.PING, 1, 0),
        Status.UNSUPPORTED_VERSION.wireCode());
    assertErrorThenClose(RawConnection.frame(0x42, 1, new byte[3]),
        Status.UNKNOWN_OPERATION.wireCode());
    assertErrorThenClose(RawConnection.frame(WireFormat.READ, 1, new byte[10]),
        Status.MALFORMED.wireCode());
    assertErrorThenClose(RawFrames.ping(0), Status.MALFORMED.wireCode());
    assertErrorThenClose(RawFrames.data(9, new byte[5]), Status.MALFORMED.wireCode());
  }

  @Test
  void aRequestInsideAWritesDataClosesTheConnectionAndAbortsTheSession() throws IOException {
    assertErrorThenClose(concat(RawFrames.beginWrite(1, true, chunk, 3, -1, 100_000, 0),
        RawFrames.data(1, new byte[1000]), RawFrames.ping(2)), Status.MALFORMED.wireCode());
    await().until(() -> !h.ops.aborts.isEmpty());
  }

  @Test
  void truncatedHeaderAndSilentConnectionsAreClosedByTheIdleTimeout() throws IOException {
    try (RawConnection truncated = raw(); RawConnection silent = raw()) {
      truncated.send(new byte[] {0x47, 0x46, 1, 2, 0});
      wellBehavedClientWorks();
      for (RawConnection c : new RawConnection[] {truncated, silent}) {
        RawConnection.Frame f = c.readFrame(); // blocks until the server's idle timeout
        assertThat(f.status()).isEqualTo(Status.IDLE_TIMEOUT.wireCode());
        assertThat(c.closedByServer()).isTrue();
      }
    }
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }
}
