package io.gfs.chunkserver.master;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.proto.ChunkCommit;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkserverControlServiceGrpc;
import io.gfs.proto.ChunkserverControlServiceGrpc.ChunkserverControlServiceStub;
import io.gfs.proto.ClaimPrimaryRequest;
import io.gfs.proto.ClaimPrimaryResponse;
import io.gfs.proto.RenewLeaseRequest;
import io.gfs.proto.RenewLeaseResponse;
import io.gfs.proto.ReplicaProblem;
import io.gfs.proto.ReportCommitRequest;
import io.gfs.proto.ReportCommitResponse;
import io.gfs.proto.ReportReplicaProblemRequest;
import io.gfs.proto.ReportReplicaProblemResponse;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * gRPC channels to every master, and leader routing for the calls only the leader answers. The
 * leader is learned from heartbeat replies and from the "gfs-leader" trailer of a follower's
 * UNAVAILABLE answer.
 */
public final class MasterLink implements MasterCalls, AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(MasterLink.class);
  static final Metadata.Key<String> LEADER_KEY =
      Metadata.Key.of("gfs-leader", Metadata.ASCII_STRING_MARSHALLER);

  private final String nodeId;
  private final List<String> masters;
  private final Executor executor;
  private final Duration deadline;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile String leader;
  private volatile boolean closed;

  /** {@code masters}: "host:port" of every master's API. */
  public MasterLink(String nodeId, List<String> masters, Executor executor, Duration deadline) {
    if (masters.isEmpty()) {
      throw new IllegalArgumentException("at least one master address is needed");
    }
    this.nodeId = nodeId;
    this.masters = List.copyOf(masters);
    this.executor = executor;
    this.deadline = deadline;
  }

  public List<String> masters() {
    return masters;
  }

  /** A stub for one master, with the call deadline applied. */
  public ChunkserverControlServiceStub stub(String address) {
    if (closed) {
      throw new IllegalStateException("master link is closed");
    }
    ManagedChannel ch = channels.computeIfAbsent(address, a -> {
      int colon = a.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("master address is not host:port: " + a);
      }
      return NettyChannelBuilder.forAddress(a.substring(0, colon),
              Integer.parseInt(a.substring(colon + 1)))
          .usePlaintext().executor(executor).build();
    });
    if (ch.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // A restarted master would otherwise wait out gRPC's growing reconnect back-off (up to
      // minutes) before this chunkserver registers again, and chunk allocation needs that. The
      // heartbeat interval already bounds how often this runs.
      ch.resetConnectBackoff();
    }
    return ChunkserverControlServiceGrpc.newStub(ch)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  public void noteLeader(String address) {
    if (!address.equals(leader)) {
      LOG.info("{} master leader learned leader={}", nodeId, address);
      leader = address;
    }
  }

  public String leader() {
    return leader;
  }

  /** Calls the leader, following redirects; at most one attempt per master plus one. */
  private <T> CompletableFuture<T> callLeader(
      BiConsumer<ChunkserverControlServiceStub, StreamObserver<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    List<String> order = new ArrayList<>();
    String l = leader;
    if (l != null) {
      order.add(l);
    }
    masters.stream().filter(m -> !m.equals(l)).forEach(order::add);
    attempt(call, order, 0, masters.size() + 1, result);
    return result;
  }

  private <T> void attempt(BiConsumer<ChunkserverControlServiceStub, StreamObserver<T>> call,
      List<String> order, int i, int attemptsLeft, CompletableFuture<T> result) {
    String target = order.get(i % order.size());
    ChunkserverControlServiceStub stub;
    try {
      stub = stub(target);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    call.accept(stub, new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        noteLeader(target);
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        Status s = Status.fromThrowable(t);
        if (s.getCode() != Status.Code.UNAVAILABLE || attemptsLeft <= 1) {
          result.completeExceptionally(t);
          return;
        }
        Metadata trailers = Status.trailersFromThrowable(t);
        String hint = trailers == null ? null : trailers.get(LEADER_KEY);
        List<String> next = order;
        int nextIndex = i + 1;
        if (hint != null && !hint.isEmpty() && !hint.equals(target)) {
          next = new ArrayList<>();
          next.add(hint);
          order.stream().filter(m -> !m.equals(hint)).forEach(next::add);
          nextIndex = 0;
        }
        attempt(call, next, nextIndex, attemptsLeft - 1, result);
      }

      @Override
      public void onCompleted() {
        if (!result.isDone()) {
          result.completeExceptionally(new IllegalStateException("no response"));
        }
      }
    });
  }

  @Override
  public CompletableFuture<ChunkInfo> claimPrimary(String handle, List<String> rejoined) {
    ClaimPrimaryRequest req = ClaimPrimaryRequest.newBuilder().setServerId(nodeId)
        .setHandle(handle).addAllRejoined(rejoined).build();
    return this.<ClaimPrimaryResponse>callLeader((stub, obs) -> stub.claimPrimary(req, obs))
        .handle((resp, err) -> {
          if (err != null) {
            Status s = Status.fromThrowable(err);
            throw new ChunkException(Code.NOT_PRIMARY, "lease of chunk " + handle
                + " not granted: " + s.getCode() + " " + s.getDescription(), err);
          }
          return resp.getChunk();
        });
  }

  @Override
  public CompletableFuture<RenewLeaseResponse> renewLeases(List<String> handles) {
    RenewLeaseRequest req = RenewLeaseRequest.newBuilder().setServerId(nodeId)
        .addAllHandles(handles).build();
    return callLeader((stub, obs) -> stub.renewLease(req, obs));
  }

  @Override
  public CompletableFuture<Void> reportCommits(List<ChunkCommit> commits) {
    ReportCommitRequest req = ReportCommitRequest.newBuilder().setServerId(nodeId)
        .addAllCommits(commits).build();
    return this.<ReportCommitResponse>callLeader((stub, obs) -> stub.reportCommit(req, obs))
        .thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> reportReplicaProblem(String handle, long version,
      String serverId, ReplicaProblem problem, String detail) {
    ReportReplicaProblemRequest req = ReportReplicaProblemRequest.newBuilder()
        .setReporterId(nodeId).setHandle(handle).setVersion(version).setServerId(serverId)
        .setProblem(problem).setDetail(detail).build();
    return this.<ReportReplicaProblemResponse>callLeader(
        (stub, obs) -> stub.reportReplicaProblem(req, obs)).thenApply(r -> null);
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
