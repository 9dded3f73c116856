package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.DataPlaneHarness.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.client.internal.dataplane.WriteResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LESSONS 13: 1,000 idle connections hit the cap with a clear refusal; nobody else suffers. */
class ConnectionFloodTest {
  private static final int CAP = 500;
  private static final int FLOOD = 1000;

  @TempDir Path dir;

  @Test
  void connectionsBeyondTheCapAreRefusedWhileAnEstablishedClientKeepsWorking() throws Exception {
    try (DataPlaneHarness h = new DataPlaneHarness(dir,
        DataPlaneHarness.serverConfig(Duration.ofSeconds(600), CAP),
        DataPlaneHarness.clientConfig(1));
        Selector selector = Selector.open()) {
      UUID chunk = UUID.randomUUID();
      h.ops.create(chunk.toString(), 1);
      h.client.ping(h.address, DEADLINE).join(); // the good client holds 1 of the CAP slots
      List<SocketChannel> flood = new ArrayList<>();
      try {
        for (int i = 0; i < FLOOD; i++) {
          SocketChannel s = SocketChannel.open(h.address);
          s.configureBlocking(false);
          s.register(selector, SelectionKey.OP_READ, i);
          flood.add(s);
        }
        int expectedRefused = FLOOD - (CAP - 1);
        Set<SocketChannel> refused = new HashSet<>();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        await().atMost(Duration.ofSeconds(120)).until(() -> {
          selector.select(100);
          for (SelectionKey key : selector.selectedKeys()) {
            SocketChannel s = (SocketChannel) key.channel();
            buf.clear();
            int n = s.read(buf);
            if (n > 0) {
              RawConnection.Frame f = parse(buf.flip());
              assertThat(f.status()).isEqualTo(Status.TOO_MANY_CONNECTIONS.wireCode());
              assertThat(f.message()).contains("connection limit");
              refused.add(s);
            } else if (n < 0) {
              assertThat(refused).as("closed without a refusal frame").contains(s);
              key.cancel();
            }
          }
          selector.selectedKeys().clear();
          return refused.size() >= expectedRefused;
        });
        assertThat(refused).hasSize(expectedRefused);
        assertThat(h.counter("connections.refused")).isEqualTo(expectedRefused);

        for (int i = 0; i < 20; i++) {
          WriteResult w = h.client.append(h.address, chunk, 1, ByteBuffer.wrap(new byte[100]),
              DEADLINE).join();
          assertThat(h.client.read(h.address, chunk, 1, w.offset(), 100, DEADLINE).join()
              .data().remaining()).isEqualTo(100);
        }
      } finally {
        for (SocketChannel s : flood) {
          s.close();
        }
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> h.server.openConnections() == 1);
      try (RawConnection fresh = new RawConnection(h.address)) {
        fresh.send(RawFrames.ping(1));
        assertThat(fresh.readFrame().type()).isEqualTo(WireFormat.REPLY_BIT | WireFormat.PING);
      }
    }
  }

  private static RawConnection.Frame parse(ByteBuffer b) throws IOException {
    if (b.remaining() < 15 || (b.getShort() & 0xFFFF) != WireFormat.MAGIC) {
      throw new IOException("not an error frame");
    }
    b.get();
    int type = b.get() & 0xFF;
    long id = b.getInt() & 0xFFFF_FFFFL;
    b.getInt();
    int status = b.get() & 0xFF;
    byte[] text = new byte[b.getShort() & 0xFFFF];
    b.get(text);
    return new RawConnection.Frame(type, id, status, new String(text), null);
  }
}
