package io.gfs.chunkserver.dataplane;

import com.codahale.metrics.MetricRegistry;
import io.gfs.client.internal.dataplane.DataPlaneClient;
import io.gfs.client.internal.dataplane.DataPlaneClientConfig;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A real data-plane server over a file-backed fake engine, plus a real client, on 127.0.0.1. */
final class DataPlaneHarness implements AutoCloseable {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  static final int FRAME_BYTES = 64 * 1024;

  final FakeChunkOperations ops;
  final DataPlaneServer server;
  final DataPlaneClient client;
  final InetSocketAddress address;
  final MetricRegistry metrics = new MetricRegistry();
  private final ExecutorService callbacks;

  DataPlaneHarness(Path dir, DataPlaneConfig config, DataPlaneClientConfig clientConfig)
      throws InterruptedException {
    ops = new FakeChunkOperations(dir, 4L << 20);
    server = new DataPlaneServer("cs-test", config, ops, metrics);
    server.start();
    address = server.address();
    callbacks = Executors.newFixedThreadPool(2, new DefaultThreadFactory("test-callbacks"));
    client = new DataPlaneClient(clientConfig, callbacks);
  }

  DataPlaneHarness(Path dir) throws InterruptedException {
    this(dir, serverConfig(Duration.ofSeconds(30), 64), clientConfig(1));
  }

  static DataPlaneConfig serverConfig(Duration idleTimeout, int connectionsMax) {
    return new DataPlaneConfig("127.0.0.1", 0, connectionsMax, FRAME_BYTES, 8L << 20, 64L << 20,
        64, idleTimeout, Duration.ofSeconds(60), 2, 2, 256);
  }

  /** One connection per server by default, so everything is pipelined on it. */
  static DataPlaneClientConfig clientConfig(int connections) {
    return new DataPlaneClientConfig(connections, 1024, FRAME_BYTES, 8 << 20,
        Duration.ofSeconds(10), Duration.ofSeconds(300), 2);
  }

  long counter(String name) {
    return metrics.counter("gfs.chunkserver.dataplane." + name).getCount();
  }

  @Override
  public void close() {
    client.close();
    server.close();
    callbacks.shutdownNow();
  }
}
