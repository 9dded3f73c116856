package io.gfs.master.service;

import io.gfs.master.MasterException;
import io.gfs.master.lease.KeyedSequencer;
import io.gfs.master.lease.LeaseDecider;
import io.gfs.master.lease.LeaseDecision;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkQuery;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.MasterResult;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Leader-side lease work: read the chunk linearizably, decide, and propose the grant through
 * the log. Decisions for one chunk run one at a time so two grants never race.
 */
final class LeaseService {
  private static final Logger LOG = LogManager.getLogger(LeaseService.class);

  private final RaftGateway gateway;
  private final LeaseDecider decider;
  private final ChunkViews views;
  private final KeyedSequencer sequencer;

  LeaseService(ServiceContext ctx) {
    this.gateway = ctx.gateway();
    this.decider = ctx.leases();
    this.views = ctx.views();
    this.sequencer = ctx.newSequencer();
  }

  /** Makes sure {@code chunk} has a primary with a valid lease; {@code preferred} may be empty. */
  CompletableFuture<ChunkInfo> ensureLease(String handle, String preferred) {
    return ensureLease(handle, preferred, List.of());
  }

  /**
   * As {@link #ensureLease(String, String)}; when {@code preferred} keeps the lease at the same
   * version (nobody else held it since it copied the chunk to {@code rejoined}), the live ones of
   * {@code rejoined} become replicas again with a version bump.
   */
  CompletableFuture<ChunkInfo> ensureLease(String handle, String preferred,
      List<String> rejoined) {
    return sequencer.run(handle, () -> readChunk(handle).thenCompose(chunk -> {
      LeaseDecision d = decider.decide(chunk, id -> views.upToDateLive(chunk, id), preferred);
      if (!rejoined.isEmpty() && d instanceof LeaseDecision.Grant g
          && g.op().getPrimary().equals(chunk.getPrimary())
          && g.op().getNewVersion() == chunk.getVersion()) {
        List<String> back = rejoined.stream().filter(views::isLive)
            .filter(id -> chunk.getReplicasList().stream()
                .noneMatch(l -> l.getServerId().equals(id)))
            .toList();
        if (!back.isEmpty()) {
          LOG.info("{} replicas rejoin chunk={} version={} primary={} rejoined={}",
              gateway.nodeId(), handle, chunk.getVersion() + 1, chunk.getPrimary(), back);
          d = decider.rejoin(chunk, back);
        }
      }
      return apply(chunk, d);
    }));
  }

  /** Extends {@code serverId}'s lease; fails with ABORTED when it no longer holds it. */
  CompletableFuture<ChunkInfo> renew(String serverId, String handle) {
    return sequencer.run(handle, () -> readChunk(handle).thenCompose(chunk -> {
      if (!chunk.getPrimary().equals(serverId)) {
        throw new MasterException(Status.Code.ABORTED, "server " + serverId
            + " does not hold the lease of chunk " + handle);
      }
      return apply(chunk, decider.extend(chunk));
    }));
  }

  private CompletableFuture<ChunkInfo> apply(ChunkInfo chunk, LeaseDecision d) {
    if (d instanceof LeaseDecision.Keep) {
      return CompletableFuture.completedFuture(chunk);
    }
    if (d instanceof LeaseDecision.Refuse r) {
      throw new MasterException(r.retryLater() ? Status.Code.UNAVAILABLE
          : Status.Code.FAILED_PRECONDITION, r.reason());
    }
    LeaseDecision.Grant g = (LeaseDecision.Grant) d;
    return gateway.submitInternal(MasterCommand.newBuilder().setGrantLease(g.op()).build())
        .thenApply(result -> {
          check(result.getCode(), result.getMessage());
          if (!g.op().getPrimary().equals(chunk.getPrimary())
              || g.op().getNewVersion() != chunk.getVersion()) {
            LOG.info("{} lease granted chunk={} version={} primary={}", gateway.nodeId(),
                chunk.getHandle(), g.op().getNewVersion(), g.op().getPrimary());
          }
          return chunkOf(result, chunk);
        });
  }

  private static ChunkInfo chunkOf(MasterResult result, ChunkInfo fallback) {
    return result.hasChunk() ? result.getChunk() : fallback;
  }

  CompletableFuture<ChunkInfo> readChunk(String handle) {
    return gateway.query(MasterQuery.newBuilder()
            .setChunk(ChunkQuery.newBuilder().setHandle(handle)).build())
        .thenApply(LeaseService::chunk);
  }

  private static ChunkInfo chunk(MasterQueryResult r) {
    check(r.getCode(), r.getMessage());
    return r.getChunk();
  }

  static void check(int code, String message) {
    MasterException e = StatusMapping.fromResult(code, message);
    if (e != null) {
      throw e;
    }
  }
}
