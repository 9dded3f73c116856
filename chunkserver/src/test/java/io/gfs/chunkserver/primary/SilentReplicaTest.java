package io.gfs.chunkserver.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.testing.TestCluster;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ReplicaProblem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LESSONS #6: a replica that accepts connections but never answers must not hang the primary. */
class SilentReplicaTest {
  @TempDir Path dir;

  /**
   * Accepts TCP connections and never reads or writes a byte; or, with a {@code serve}, hands
   * each connection to it on a thread of its own (a server that speaks, then falls silent).
   */
  static final class Blackhole implements AutoCloseable {
    final ServerSocket server;
    final List<Socket> held = new ArrayList<>();
    final Thread acceptor;

    Blackhole() throws IOException {
      this(null);
    }

    Blackhole(Consumer<Socket> serve) throws IOException {
      server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        for (int i = 0; i < 64 && !server.isClosed(); i++) { // bounded
          try {
            Socket s = server.accept();
            synchronized (held) {
              held.add(s);
            }
            if (serve != null) {
              Thread t = new Thread(() -> serve.accept(s), "test-blackhole-conn");
              t.setDaemon(true);
              t.start();
            }
          } catch (IOException e) {
            return;
          }
        }
      }, "test-blackhole");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (held) {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void silentReplicaCostsAtMostItsDeadlineAndIsThenLeftOut() throws Exception {
    String handle = UUID.randomUUID().toString();
    try (TestCluster cluster = new TestCluster(dir, 2, 1 << 20);
        Blackhole hole = new Blackhole()) {
      ChunkLocation silent = ChunkLocation.newBuilder().setServerId("cs-silent")
          .setHost("127.0.0.1").setReplicationPort(hole.server.getLocalPort()).build();
      List<ChunkLocation> replicas = new ArrayList<>(cluster.locations(0, 1));
      replicas.add(silent);
      cluster.master.assign(handle, 1, "cs1", replicas);

      // Recovery reaches cs1 and cs2 (a majority); the silent one times out.
      WriteOutcome first = cluster.write(0, handle, 1, -1, new byte[5000])
          .get(60, TimeUnit.SECONDS);
      assertThat(first.offset()).isZero();
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.problems.stream()
          .anyMatch(p -> p.getServerId().equals("cs-silent")
              && p.getProblem() == ReplicaProblem.MISSED_COMMIT));
      WriteOutcome second = cluster.write(0, handle, 1, -1, new byte[10])
          .get(60, TimeUnit.SECONDS);
      assertThat(second.offset()).isEqualTo(5000);
      assertThat(cluster.committedBytes(1, handle)).hasSize(5010);
    }
  }
}
