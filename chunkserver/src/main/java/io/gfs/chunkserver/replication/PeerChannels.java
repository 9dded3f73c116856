package io.gfs.chunkserver.replication;

import io.gfs.proto.ReplicationServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** One persistent channel per peer replication address, shared by all chunks. */
public final class PeerChannels implements AutoCloseable {
  private final Executor executor;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** {@code executor}: a named, bounded pool for response callbacks. */
  public PeerChannels(Executor executor) {
    this.executor = executor;
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
        k -> NettyChannelBuilder.forAddress(host, port).usePlaintext().executor(executor)
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
