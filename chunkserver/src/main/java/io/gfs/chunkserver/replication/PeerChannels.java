package io.gfs.chunkserver.replication;

import io.gfs.proto.ReplicationServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One persistent channel per peer replication address, shared by all chunks.
 *
 * <p>Responses of the asynchronous stubs are delivered on the channel's transport thread, not
 * handed to a pool: on the write path (READY, COMMIT answers) every hand-off is a thread wake-up
 * on the critical path of each write. So a callback of {@link #stub} must never block (no disk
 * I/O, no waiting): it completes a future, and work that blocks continues on a pool of its own.
 * Blocking stubs are unaffected (the calling thread waits for its own answer).
 */
public final class PeerChannels implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public PeerChannels() {
  }

  public ReplicationServiceGrpc.ReplicationServiceStub stub(String host, int port) {
    return ReplicationServiceGrpc.newStub(channel(host, port));
  }

  public ReplicationServiceGrpc.ReplicationServiceBlockingStub blockingStub(String host, int port) {
    return ReplicationServiceGrpc.newBlockingStub(channel(host, port));
  }

  private ManagedChannel channel(String host, int port) {
    if (closed) {
      throw new IllegalStateException("peer channels are closed");
    }
    return channels.computeIfAbsent(host + ":" + port,
        k -> NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor()
            .maxInboundMessageSize(4 << 20).build());
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel ch : channels.values()) {
      try {
        ch.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
