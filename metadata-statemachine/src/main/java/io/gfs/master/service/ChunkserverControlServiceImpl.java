package io.gfs.master.service;

import io.gfs.master.MasterException;
import io.gfs.master.registry.ReplicaReport;
import io.gfs.master.registry.ResourceSample;
import io.gfs.master.registry.ServerAddress;
import io.gfs.proto.ChunkCommit;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkReport;
import io.gfs.proto.ChunkserverControlServiceGrpc;
import io.gfs.proto.ChunkserverIdentity;
import io.gfs.proto.ClaimPrimaryRequest;
import io.gfs.proto.ClaimPrimaryResponse;
import io.gfs.proto.CommitChunksOp;
import io.gfs.proto.HeartbeatRequest;
import io.gfs.proto.HeartbeatResponse;
import io.gfs.proto.MarkStaleOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.RegisterRequest;
import io.gfs.proto.RegisterResponse;
import io.gfs.proto.RenewLeaseRequest;
import io.gfs.proto.RenewLeaseResponse;
import io.gfs.proto.ReplicaRejoin;
import io.gfs.proto.ReportCommitRequest;
import io.gfs.proto.ReportCommitResponse;
import io.gfs.proto.ReportReplicaProblemRequest;
import io.gfs.proto.ReportReplicaProblemResponse;
import io.gfs.proto.ResourceUsage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Chunkservers → master. Register and Heartbeat are answered by every master (each keeps the
 * registry, so a new leader starts warm); the lease and commit calls are leader-only.
 */
public final class ChunkserverControlServiceImpl
    extends ChunkserverControlServiceGrpc.ChunkserverControlServiceImplBase {

  static final int HANDLES_PER_CALL_MAX = 10_000;
  /** How long after hinting a chunk's rejoin another hint for it waits (a copy may fail). */
  static final Duration REJOIN_RETRY_AFTER = Duration.ofSeconds(10);

  private final ServiceContext ctx;
  private final RaftGateway gateway;
  private final Replies replies;
  private final ChunkViews views;
  private final LeaseService leases;
  private final RejoinHints rejoins;

  public ChunkserverControlServiceImpl(ServiceContext ctx) {
    this.ctx = ctx;
    this.gateway = ctx.gateway();
    this.replies = ctx.replies();
    this.views = ctx.views();
    this.leases = new LeaseService(ctx);
    this.rejoins = new RejoinHints(ctx.registry(), ctx.clock(), REJOIN_RETRY_AFTER);
  }

  @Override
  public void register(RegisterRequest req, StreamObserver<RegisterResponse> obs) {
    replies.reply(obs, () -> {
      ChunkserverIdentity id = req.getIdentity();
      ctx.registry().register(RequestValidator.serverId(id.getServerId()), address(id),
          id.getBuildInfo(), usage(req.getUsage()), reports(req.getChunksList()));
      ctx.replication().onReport(id.getServerId()); // counts toward leaving safe mode
      return CompletableFuture.completedFuture(RegisterResponse.newBuilder()
          .setLeader(gateway.isLeader())
          .setTerm(gateway.currentTerm())
          .setChunkSize(ctx.config().chunkSizeBytes())
          .build());
    });
  }

  @Override
  public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> obs) {
    replies.reply(obs, () -> {
      ChunkserverIdentity id = req.getIdentity();
      boolean known = ctx.registry().heartbeat(RequestValidator.serverId(id.getServerId()),
          address(id), id.getBuildInfo(), usage(req.getUsage()), reports(req.getChunksList()));
      return CompletableFuture.completedFuture(HeartbeatResponse.newBuilder()
          .setLeader(gateway.isLeader())
          .setTerm(gateway.currentTerm())
          .setReregister(!known)
          .setChunkSize(ctx.config().chunkSizeBytes())
          // commands only to a server this master knows (else it re-registers first)
          .addAllCommands(known ? ctx.replication().onReport(id.getServerId()) : List.of())
          .build());
    });
  }

  @Override
  public void reportCommit(ReportCommitRequest req, StreamObserver<ReportCommitResponse> obs) {
    replies.reply(obs, () -> {
      RequestValidator.serverId(req.getServerId());
      if (req.getCommitsCount() == 0) {
        return CompletableFuture.completedFuture(ReportCommitResponse.getDefaultInstance());
      }
      if (req.getCommitsCount() > HANDLES_PER_CALL_MAX) {
        throw MasterException.invalidArgument("at most " + HANDLES_PER_CALL_MAX
            + " commits per report, got " + req.getCommitsCount());
      }
      for (ChunkCommit c : req.getCommitsList()) {
        RequestValidator.handle(c.getHandle());
        RequestValidator.nonNegative("committed_length", c.getCommittedLength());
        RequestValidator.nonNegative("version", c.getVersion());
      }
      // One command for the whole report: the primary already coalesced per chunk.
      MasterCommand cmd = MasterCommand.newBuilder()
          .setCommitChunks(CommitChunksOp.newBuilder().addAllCommits(req.getCommitsList()))
          .build();
      return gateway.submitInternal(cmd).thenApply(r -> {
        LeaseService.check(r.getCode(), r.getMessage());
        return ReportCommitResponse.getDefaultInstance();
      });
    });
  }

  @Override
  public void claimPrimary(ClaimPrimaryRequest req, StreamObserver<ClaimPrimaryResponse> obs) {
    replies.reply(obs, () -> {
      String server = RequestValidator.serverId(req.getServerId());
      String handle = RequestValidator.handle(req.getHandle());
      gateway.checkLeader();
      List<String> rejoined = req.getRejoinedList().stream().map(RequestValidator::serverId)
          .toList();
      return leases.ensureLease(handle, server, rejoined).thenApply(chunk -> {
        if (!chunk.getPrimary().equals(server)) {
          throw new MasterException(Status.Code.ABORTED, "chunk " + handle
              + " lease is held by " + chunk.getPrimary());
        }
        return ClaimPrimaryResponse.newBuilder().setChunk(views.withLiveAddresses(chunk)).build();
      });
    });
  }

  @Override
  public void renewLease(RenewLeaseRequest req, StreamObserver<RenewLeaseResponse> obs) {
    replies.reply(obs, () -> {
      String server = RequestValidator.serverId(req.getServerId());
      if (req.getHandlesCount() > HANDLES_PER_CALL_MAX) {
        throw MasterException.invalidArgument("at most " + HANDLES_PER_CALL_MAX
            + " handles per renewal, got " + req.getHandlesCount());
      }
      req.getHandlesList().forEach(RequestValidator::handle);
      gateway.checkLeader();
      List<CompletableFuture<ChunkInfo>> renewals = new ArrayList<>();
      for (String handle : req.getHandlesList()) {
        renewals.add(leases.renew(server, handle));
      }
      return CompletableFuture.allOf(renewals.stream()
              .map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new))
          .thenApply(ignored -> {
            RenewLeaseResponse.Builder b = RenewLeaseResponse.newBuilder();
            for (int i = 0; i < renewals.size(); i++) {
              CompletableFuture<ChunkInfo> f = renewals.get(i);
              if (f.isCompletedExceptionally()) {
                Throwable cause = f.handle((v, e) -> StatusMapping.unwrap(e)).join();
                if (cause instanceof MasterException me && me.code() != Status.Code.ABORTED
                    && me.code() != Status.Code.NOT_FOUND) {
                  throw me;  // e.g. lost leadership: the whole renewal should be retried
                }
                b.addLost(req.getHandles(i));
              } else {
                ChunkInfo chunk = f.join();
                b.addRenewed(views.withLiveAddresses(chunk));
                rejoins.candidate(chunk).ifPresent(back -> b.addRejoin(ReplicaRejoin
                    .newBuilder().setHandle(chunk.getHandle()).setServer(back)));
              }
            }
            return b.build();
          });
    });
  }

  @Override
  public void reportReplicaProblem(ReportReplicaProblemRequest req,
      StreamObserver<ReportReplicaProblemResponse> obs) {
    replies.reply(obs, () -> {
      RequestValidator.serverId(req.getReporterId());
      MasterCommand cmd = MasterCommand.newBuilder().setMarkStale(MarkStaleOp.newBuilder()
              .setHandle(RequestValidator.handle(req.getHandle()))
              .setServerId(RequestValidator.serverId(req.getServerId()))
              .setVersion(RequestValidator.nonNegative("version", req.getVersion())))
          .build();
      // Read first so a report about an unknown chunk never reaches the log.
      return leases.readChunk(req.getHandle())
          .thenCompose(chunk -> gateway.submitInternal(cmd))
          .thenApply(r -> {
            LeaseService.check(r.getCode(), r.getMessage());
            return ReportReplicaProblemResponse.getDefaultInstance();
          });
    });
  }

  private static ServerAddress address(ChunkserverIdentity id) {
    if (id.getAddress().getHost().isEmpty()) {
      throw MasterException.invalidArgument("chunkserver " + id.getServerId()
          + " reported no host");
    }
    return new ServerAddress(id.getAddress().getHost(),
        RequestValidator.port("data", id.getAddress().getDataPort()),
        RequestValidator.port("replication", id.getAddress().getReplicationPort()),
        RequestValidator.port("admin", id.getAdminPort()));
  }

  private static ResourceSample usage(ResourceUsage u) {
    return new ResourceSample(u.getCpuPercent(), u.getMemoryUsedBytes(), u.getMemoryTotalBytes(),
        u.getDiskUsedBytes(), u.getDiskTotalBytes(), u.getFreeBytes());
  }

  private static List<ReplicaReport> reports(List<ChunkReport> chunks) {
    List<ReplicaReport> out = new ArrayList<>(chunks.size());
    for (ChunkReport c : chunks) {
      out.add(new ReplicaReport(c.getHandle(), c.getVersion(), c.getCommittedLength(),
          c.getSealed(), c.getLeaseExpiryMs()));
    }
    return out;
  }
}
