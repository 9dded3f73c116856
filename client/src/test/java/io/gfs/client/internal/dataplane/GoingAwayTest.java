package io.gfs.client.internal.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A chunkserver that stops says GOING_AWAY on each connection after answering everything it
 * executed: the client fails what is still unanswered with GOING_AWAY (never executed, so the
 * caller may retry it) and never sends on that connection again. The server here is a scripted
 * socket on 127.0.0.1, so the frame arrives exactly while a request is unanswered.
 */
class GoingAwayTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private ServerSocket listener;
  private ExecutorService callbacks;
  private DataPlaneClient client;

  @BeforeEach
  void setUp() throws IOException {
    listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    listener.setSoTimeout(30_000);
    callbacks = Executors.newSingleThreadExecutor();
    client = new DataPlaneClient(new DataPlaneClientConfig(1, 1024, 1 << 20, 8 << 20,
        Duration.ofSeconds(10), Duration.ofSeconds(300), 1), callbacks);
  }

  @AfterEach
  void tearDown() throws IOException {
    client.close();
    callbacks.shutdownNow();
    listener.close();
  }

  @Test
  void anUnansweredAppendFailsGoingAwayAndTheNextCallUsesANewConnection() throws Exception {
    InetSocketAddress address = new InetSocketAddress(listener.getInetAddress(),
        listener.getLocalPort());
    UUID handle = UUID.randomUUID();
    byte[] record = "record".getBytes(StandardCharsets.UTF_8);
    CompletableFuture<WriteResult> first = client.append(address, handle, 1,
        ByteBuffer.wrap(record), DEADLINE);
    try (Socket s1 = listener.accept()) {
      DataInputStream in = new DataInputStream(s1.getInputStream());
      readFrame(in); // the APPEND header
      readFrame(in); // its DATA
      s1.getOutputStream().write(error(WireFormat.CONNECTION_REQUEST_ID,
          DataPlaneStatus.GOING_AWAY, "cs-test is stopping"));
      s1.getOutputStream().flush();

      assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(DataPlaneException.class)
          .satisfies(e -> assertThat(((DataPlaneException) e.getCause()).status())
              .isEqualTo(DataPlaneStatus.GOING_AWAY));
      s1.setSoTimeout(30_000);
      assertThat(in.read()).as("the client hangs up and sends nothing more").isEqualTo(-1);
    }

    CompletableFuture<WriteResult> retry = client.append(address, handle, 1,
        ByteBuffer.wrap(record), DEADLINE);
    try (Socket s2 = listener.accept()) {
      DataInputStream in = new DataInputStream(s2.getInputStream());
      long requestId = readFrame(in);
      readFrame(in);
      OutputStream out = s2.getOutputStream();
      out.write(frame(WireFormat.REPLY_BIT | WireFormat.APPEND, requestId,
          ByteBuffer.allocate(16).putLong(0).putLong(record.length).array()));
      out.flush();
      assertThat(retry.get(30, TimeUnit.SECONDS).committedLength()).isEqualTo(record.length);
    }
  }

  /** Reads one client frame and returns its request id. */
  private static long readFrame(DataInputStream in) throws IOException {
    byte[] header = new byte[WireFormat.HEADER_BYTES];
    in.readFully(header);
    ByteBuffer h = ByteBuffer.wrap(header);
    assertThat(h.getShort() & 0xFFFF).isEqualTo(WireFormat.MAGIC);
    h.get();
    h.get();
    long requestId = h.getInt() & 0xFFFF_FFFFL;
    in.readFully(new byte[h.getInt()]);
    return requestId;
  }

  private static byte[] error(long requestId, DataPlaneStatus status, String message) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    return frame(WireFormat.ERROR, requestId, ByteBuffer.allocate(3 + text.length)
        .put((byte) status.wireCode()).putShort((short) text.length).put(text).array());
  }

  private static byte[] frame(int type, long requestId, byte[] body) {
    return ByteBuffer.allocate(WireFormat.HEADER_BYTES + body.length)
        .putShort((short) WireFormat.MAGIC).put((byte) WireFormat.VERSION).put((byte) type)
        .putInt((int) requestId).putInt(body.length).put(body).array();
  }
}
