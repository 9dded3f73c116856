package io.gfs.chunkserver.server;

import io.gfs.chunkserver.dataplane.DataPlaneConfig;
import io.gfs.chunkserver.dataplane.DataPlaneServer;

/** Wires the Netty data-plane server (docs/protocol.md) into a {@link ChunkserverNode}. */
public final class NettyDataPlane {
  private NettyDataPlane() {
  }

  /** Starts a {@link DataPlaneServer} on the node's bind address and data port. */
  public static final ChunkserverNode.DataPlaneStarter STARTER = (operations, config, metrics) -> {
    DataPlaneServer server = new DataPlaneServer(config.id(),
        DataPlaneConfig.defaults(config.bindAddress(), config.dataPort()), operations, metrics);
    server.start();
    int port = server.address().getPort();
    return new ChunkserverNode.DataPlane() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() {
        server.close();
      }
    };
  };
}
