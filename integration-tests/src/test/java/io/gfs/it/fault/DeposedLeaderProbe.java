package io.gfs.it.fault;

import io.gfs.client.GfsClient;
import io.gfs.proto.GetFileRequest;
import io.gfs.proto.MasterServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Asks one master directly (no leader following) whether a file exists that was created after it
 * lost leadership. A NOT_FOUND answer is a stale read: the deposed leader answered from old state.
 * Any refusal (not the leader, unavailable, deadline) is what a deposed leader should do.
 */
final class DeposedLeaderProbe implements AutoCloseable {
  private final ManagedChannel channel;

  /** What the probed master did. */
  record Answers(int stale, int fresh, int refused) {}

  DeposedLeaderProbe(String address) {
    String[] hp = address.split(":");
    this.channel = NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext()
        .build();
  }

  /** Probes {@code attempts} times, back to back, each with its own deadline. */
  Answers probe(String path, int attempts, Duration deadline) {
    int stale = 0;
    int fresh = 0;
    int refused = 0;
    for (int i = 0; i < attempts; i++) {
      try {
        MasterServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
            .getFile(GetFileRequest.newBuilder().setNamespace(GfsClient.DEFAULT_NAMESPACE)
                .setPath(path).build());
        fresh++;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          stale++;
        } else {
          refused++;
        }
      }
    }
    return new Answers(stale, fresh, refused);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
