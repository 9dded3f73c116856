package io.gfs.chunkserver.testing;

import io.gfs.proto.ChunkCommand;
import io.gfs.proto.ChunkCommit;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ChunkserverControlServiceGrpc;
import io.gfs.proto.ClaimPrimaryRequest;
import io.gfs.proto.ClaimPrimaryResponse;
import io.gfs.proto.HeartbeatRequest;
import io.gfs.proto.HeartbeatResponse;
import io.gfs.proto.RegisterRequest;
import io.gfs.proto.RegisterResponse;
import io.gfs.proto.RenewLeaseRequest;
import io.gfs.proto.RenewLeaseResponse;
import io.gfs.proto.ReportCommitRequest;
import io.gfs.proto.ReportCommitResponse;
import io.gfs.proto.ReportReplicaProblemRequest;
import io.gfs.proto.ReportReplicaProblemResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC fake of the master's ChunkserverControlService: the test decides each chunk's
 * primary, version and replicas; ClaimPrimary grants the lease only to that primary. Records what
 * the chunkservers report.
 */
public final class FakeMaster implements AutoCloseable {
  public final Map<String, ChunkInfo> chunks = new ConcurrentHashMap<>();
  public final Queue<ChunkCommit> commits = new ConcurrentLinkedQueue<>();
  public final Queue<ReportReplicaProblemRequest> problems = new ConcurrentLinkedQueue<>();
  public final Map<String, HeartbeatRequest> heartbeats = new ConcurrentHashMap<>();
  public final Map<String, RegisterRequest> registrations = new ConcurrentHashMap<>();
  private final Map<String, Queue<ChunkCommand>> pendingCommands = new ConcurrentHashMap<>();
  private final long leaseMs;
  private final long chunkSizeBytes;
  public final java.util.concurrent.atomic.AtomicInteger registerCalls =
      new java.util.concurrent.atomic.AtomicInteger();
  /** When set, the next heartbeat answer asks the chunkserver to register again. */
  public volatile boolean askReregister;
  public final java.util.concurrent.atomic.AtomicInteger heartbeatCalls =
      new java.util.concurrent.atomic.AtomicInteger();
  /** A follower answers leader-only calls with UNAVAILABLE and this leader address. */
  public volatile String followerOf;
  /** When set, lease claims fail as if the master were unreachable. */
  public volatile boolean refuseClaims;
  public final java.util.concurrent.atomic.AtomicInteger renewCalls =
      new java.util.concurrent.atomic.AtomicInteger();
  public final java.util.concurrent.atomic.AtomicInteger claimCalls =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile long term = 1;
  private final Server server;

  public FakeMaster(long leaseMs, long chunkSizeBytes) throws IOException {
    this.leaseMs = leaseMs;
    this.chunkSizeBytes = chunkSizeBytes;
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new Service()).build().start();
  }

  public String address() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Commands delivered with the server's next heartbeat answer. */
  public Queue<ChunkCommand> commandsFor(String serverId) {
    return pendingCommands.computeIfAbsent(serverId, k -> new ConcurrentLinkedQueue<>());
  }

  public void setTerm(long t) {
    term = t;
  }

  /** Makes {@code primary} the chunk's lease holder at {@code version}. */
  public void assign(String handle, long version, String primary, List<ChunkLocation> replicas) {
    chunks.put(handle, ChunkInfo.newBuilder().setHandle(handle).setVersion(version)
        .setPrimary(primary).addAllReplicas(replicas).build());
  }

  private boolean redirected(StreamObserver<?> obs) {
    String leader = followerOf;
    if (leader == null) {
      return false;
    }
    io.grpc.Metadata trailers = new io.grpc.Metadata();
    trailers.put(io.grpc.Metadata.Key.of("gfs-leader", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        leader);
    obs.onError(Status.UNAVAILABLE.withDescription("not leader").asRuntimeException(trailers));
    return true;
  }

  private final class Service
      extends ChunkserverControlServiceGrpc.ChunkserverControlServiceImplBase {
    @Override
    public void register(RegisterRequest req, StreamObserver<RegisterResponse> obs) {
      registrations.put(req.getIdentity().getServerId(), req);
      registerCalls.incrementAndGet();
      obs.onNext(RegisterResponse.newBuilder().setLeader(followerOf == null).setTerm(term)
          .setChunkSize(chunkSizeBytes).build());
      obs.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> obs) {
      heartbeats.put(req.getIdentity().getServerId(), req);
      heartbeatCalls.incrementAndGet();
      HeartbeatResponse.Builder b = HeartbeatResponse.newBuilder()
          .setLeader(followerOf == null).setTerm(term)
          .setChunkSize(chunkSizeBytes).setReregister(askReregister);
      askReregister = false;
      Queue<ChunkCommand> mine = commandsFor(req.getIdentity().getServerId());
      for (ChunkCommand c; (c = mine.poll()) != null; ) {
        b.addCommands(c);
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void reportCommit(ReportCommitRequest req, StreamObserver<ReportCommitResponse> obs) {
      if (redirected(obs)) {
        return;
      }
      commits.addAll(req.getCommitsList());
      obs.onNext(ReportCommitResponse.getDefaultInstance());
      obs.onCompleted();
    }

    @Override
    public void claimPrimary(ClaimPrimaryRequest req, StreamObserver<ClaimPrimaryResponse> obs) {
      if (redirected(obs)) {
        return;
      }
      claimCalls.incrementAndGet();
      if (refuseClaims) {
        obs.onError(Status.UNAVAILABLE.withDescription("injected: master unreachable")
            .asRuntimeException());
        return;
      }
      ChunkInfo c = chunks.get(req.getHandle());
      if (c == null || !c.getPrimary().equals(req.getServerId())) {
        obs.onError(Status.FAILED_PRECONDITION.withDescription("not your lease")
            .asRuntimeException());
        return;
      }
      ChunkInfo granted = c.toBuilder().setLeaseExpiryMs(System.currentTimeMillis() + leaseMs)
          .build();
      chunks.put(req.getHandle(), granted);
      obs.onNext(ClaimPrimaryResponse.newBuilder().setChunk(granted).build());
      obs.onCompleted();
    }

    @Override
    public void renewLease(RenewLeaseRequest req, StreamObserver<RenewLeaseResponse> obs) {
      if (redirected(obs)) {
        return;
      }
      renewCalls.incrementAndGet();
      RenewLeaseResponse.Builder b = RenewLeaseResponse.newBuilder();
      for (String h : req.getHandlesList()) {
        ChunkInfo c = chunks.get(h);
        if (c != null && c.getPrimary().equals(req.getServerId())) {
          ChunkInfo renewed = c.toBuilder()
              .setLeaseExpiryMs(System.currentTimeMillis() + leaseMs).build();
          chunks.put(h, renewed);
          b.addRenewed(renewed);
        } else {
          b.addLost(h);
        }
      }
      obs.onNext(b.build());
      obs.onCompleted();
    }

    @Override
    public void reportReplicaProblem(ReportReplicaProblemRequest req,
        StreamObserver<ReportReplicaProblemResponse> obs) {
      if (redirected(obs)) {
        return;
      }
      problems.add(req);
      obs.onNext(ReportReplicaProblemResponse.getDefaultInstance());
      obs.onCompleted();
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
