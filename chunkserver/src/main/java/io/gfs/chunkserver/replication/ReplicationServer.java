package io.gfs.chunkserver.replication;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** The replication plane's gRPC server (default port 8081). */
public final class ReplicationServer implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ReplicationServer.class);
  private static final int MAX_MESSAGE_BYTES = 4 << 20;

  private final String nodeId;
  private final Server server;
  private volatile int port = -1;

  /**
   * {@code executor}: a named, bounded pool; stage writes run on it and block it, which is
   * the backpressure on a primary that streams faster than this disk writes.
   */
  public ReplicationServer(String nodeId, InetSocketAddress bind, ReplicaEngine engine,
      ChunkCopier copier, ExecutorService executor) {
    this.nodeId = nodeId;
    this.server = NettyServerBuilder.forAddress(bind)
        .executor(executor)
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .addService(new ReplicationServiceImpl(engine, copier))
        .build();
  }

  public ReplicationServer start() throws IOException {
    server.start();
    port = server.getPort();
    LOG.info("{} replication server started port={}", nodeId, port());
    return this;
  }

  /** The bound port; still answers after close (the address this server had). */
  public int port() {
    return port;
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
