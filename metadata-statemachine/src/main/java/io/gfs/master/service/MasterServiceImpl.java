package io.gfs.master.service;

import io.gfs.master.MasterException;
import io.gfs.master.placement.Placement;
import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ChunkserverRegistry;
import io.gfs.proto.AllocateChunkOp;
import io.gfs.proto.AllocateChunkRequest;
import io.gfs.proto.AllocateChunkResponse;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkserverPressure;
import io.gfs.proto.ChunkserverStatus;
import io.gfs.proto.CreateFileOp;
import io.gfs.proto.CreateFileRequest;
import io.gfs.proto.CreateFileResponse;
import io.gfs.proto.DeleteFileRequest;
import io.gfs.proto.DeleteFileResponse;
import io.gfs.proto.DeleteNamespaceOp;
import io.gfs.proto.DeleteNamespaceRequest;
import io.gfs.proto.DeleteNamespaceResponse;
import io.gfs.proto.DeleteOp;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetChunkLocationsResponse;
import io.gfs.proto.GetClusterPressureRequest;
import io.gfs.proto.GetClusterPressureResponse;
import io.gfs.proto.GetClusterStatusRequest;
import io.gfs.proto.GetClusterStatusResponse;
import io.gfs.proto.GetFileRequest;
import io.gfs.proto.GetFileResponse;
import io.gfs.proto.ListFilesRequest;
import io.gfs.proto.ListFilesResponse;
import io.gfs.proto.ListNamespacesRequest;
import io.gfs.proto.ListNamespacesResponse;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.MasterResult;
import io.gfs.proto.MasterServiceGrpc;
import io.gfs.proto.MkdirOp;
import io.gfs.proto.MkdirRequest;
import io.gfs.proto.MkdirResponse;
import io.gfs.proto.RenameFileRequest;
import io.gfs.proto.RenameFileResponse;
import io.gfs.proto.RenameOp;
import io.gfs.proto.RequestId;
import io.gfs.proto.StatsQuery;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** The client API: validates, then proposes mutations or runs linearizable reads. */
public final class MasterServiceImpl extends MasterServiceGrpc.MasterServiceImplBase {

  static final int PAGE_SIZE_MAX = 10_000;

  private final ServiceContext ctx;
  private final RaftGateway gateway;
  private final Replies replies;
  private final ChunkViews views;
  private final LeaseService leases;

  public MasterServiceImpl(ServiceContext ctx) {
    this.ctx = ctx;
    this.gateway = ctx.gateway();
    this.replies = ctx.replies();
    this.views = ctx.views();
    this.leases = new LeaseService(ctx);
  }

  @Override
  public void createFile(CreateFileRequest req, StreamObserver<CreateFileResponse> obs) {
    replies.reply(obs, () -> propose(req.getRequestId(), MasterCommand.newBuilder()
            .setCreateFile(CreateFileOp.newBuilder()
                .setNamespace(RequestValidator.namespace(req.getNamespace()))
                .setPath(RequestValidator.path(req.getPath()))))
        .thenApply(r -> CreateFileResponse.newBuilder().setFile(r.getFile()).build()));
  }

  @Override
  public void mkdir(MkdirRequest req, StreamObserver<MkdirResponse> obs) {
    replies.reply(obs, () -> propose(req.getRequestId(), MasterCommand.newBuilder()
            .setMkdir(MkdirOp.newBuilder()
                .setNamespace(RequestValidator.namespace(req.getNamespace()))
                .setPath(RequestValidator.path(req.getPath()))
                .setParents(req.getParents())))
        .thenApply(r -> MkdirResponse.newBuilder().setDirectory(r.getFile()).build()));
  }

  @Override
  public void deleteFile(DeleteFileRequest req, StreamObserver<DeleteFileResponse> obs) {
    replies.reply(obs, () -> propose(req.getRequestId(), MasterCommand.newBuilder()
            .setDelete(DeleteOp.newBuilder()
                .setNamespace(RequestValidator.namespace(req.getNamespace()))
                .setPath(RequestValidator.path(req.getPath()))
                .setRecursive(req.getRecursive())))
        .thenApply(r -> DeleteFileResponse.newBuilder().setDeletedEntries(r.getCount()).build()));
  }

  @Override
  public void renameFile(RenameFileRequest req, StreamObserver<RenameFileResponse> obs) {
    replies.reply(obs, () -> propose(req.getRequestId(), MasterCommand.newBuilder()
            .setRename(RenameOp.newBuilder()
                .setNamespace(RequestValidator.namespace(req.getNamespace()))
                .setSource(RequestValidator.path(req.getSource()))
                .setDestination(RequestValidator.path(req.getDestination()))
                .setOverwrite(req.getOverwrite())))
        .thenApply(r -> RenameFileResponse.newBuilder().setFile(r.getFile()).build()));
  }

  @Override
  public void deleteNamespace(DeleteNamespaceRequest req,
      StreamObserver<DeleteNamespaceResponse> obs) {
    replies.reply(obs, () -> {
      String ns = RequestValidator.namespace(req.getNamespace());
      if (ns.equals(io.gfs.master.namespace.NamespaceNames.DEFAULT)) {
        throw MasterException.invalidArgument("the default namespace cannot be deleted");
      }
      return propose(req.getRequestId(), MasterCommand.newBuilder()
              .setDeleteNamespace(DeleteNamespaceOp.newBuilder().setNamespace(ns)))
          .thenApply(r -> DeleteNamespaceResponse.newBuilder()
              .setDeletedEntries(r.getCount()).build());
    });
  }

  @Override
  public void getFile(GetFileRequest req, StreamObserver<GetFileResponse> obs) {
    replies.reply(obs, () -> query(MasterQuery.newBuilder().setGetFile(req.toBuilder()
            .setNamespace(RequestValidator.namespace(req.getNamespace()))
            .setPath(RequestValidator.path(req.getPath()))))
        .thenApply(MasterQueryResult::getGetFile));
  }

  @Override
  public void listFiles(ListFilesRequest req, StreamObserver<ListFilesResponse> obs) {
    replies.reply(obs, () -> {
      if (req.getPageSize() < 0 || req.getPageSize() > PAGE_SIZE_MAX) {
        throw MasterException.invalidArgument("page_size must be 0.." + PAGE_SIZE_MAX + ", got "
            + Integer.toUnsignedString(req.getPageSize()));
      }
      return query(MasterQuery.newBuilder().setListFiles(req.toBuilder()
              .setNamespace(RequestValidator.namespace(req.getNamespace()))
              .setPath(RequestValidator.path(req.getPath()))))
          .thenApply(MasterQueryResult::getListFiles);
    });
  }

  @Override
  public void listNamespaces(ListNamespacesRequest req,
      StreamObserver<ListNamespacesResponse> obs) {
    replies.reply(obs, () -> query(MasterQuery.newBuilder().setListNamespaces(req))
        .thenApply(MasterQueryResult::getListNamespaces));
  }

  @Override
  public void allocateChunk(AllocateChunkRequest req, StreamObserver<AllocateChunkResponse> obs) {
    replies.reply(obs, () -> {
      String ns = RequestValidator.namespace(req.getNamespace());
      String path = RequestValidator.path(req.getPath());
      RequestValidator.nonNegative("chunk_index", req.getChunkIndex());
      gateway.checkLeader();
      // Chosen by the leader before proposing, carried in the command (apply stays pure).
      Placement placement = ctx.placement().choose(ctx.registry().live(),
          ctx.config().chunkSizeBytes());
      AllocateChunkOp op = AllocateChunkOp.newBuilder()
          .setNamespace(ns)
          .setPath(path)
          .setChunkIndex(req.getChunkIndex())
          .setHandle(newHandle())
          .addAllReplicas(placement.serverIds())
          .setPrimary(placement.primary())
          .setLeaseExpiryMs(ctx.leases().newExpiryMs())
          .build();
      return propose(req.getRequestId(), MasterCommand.newBuilder().setAllocateChunk(op))
          .thenApply(r -> AllocateChunkResponse.newBuilder()
              .setChunk(views.withLiveAddresses(r.getChunk()))
              .setWarning(placement.warning())
              .build());
    });
  }

  private String newHandle() {
    // UUID v4 from the injected random source.
    long msb = (ctx.random().nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (ctx.random().nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }

  /**
   * The calls the master runs on the transport thread that received them, not on its handler
   * pool: the lookups a client makes most and the namespace mutations. A read the leader may
   * answer at once - its lease valid and applied up to the read index - is then answered with no
   * thread hand-off at all (W4: +27 % at one thread, +31 % at eight). A mutation is validated
   * and submitted to Ratis right there (the pool's hand-offs in and out cost the leader about
   * eight context switches per create), and its answer continues on the same event loop
   * ({@link RaftGateway}). Nothing on these paths blocks longer than Ratis's submit holds its
   * server lock or one apply holds the state's write lock. A lookup for writing that grants a
   * lease is such a Raft write too and runs inline as well.
   */
  public static final Set<String> INLINE_METHODS = Set.of(
      MasterServiceGrpc.getGetFileMethod().getFullMethodName(),
      MasterServiceGrpc.getGetChunkLocationsMethod().getFullMethodName(),
      MasterServiceGrpc.getCreateFileMethod().getFullMethodName(),
      MasterServiceGrpc.getMkdirMethod().getFullMethodName(),
      MasterServiceGrpc.getDeleteFileMethod().getFullMethodName(),
      MasterServiceGrpc.getRenameFileMethod().getFullMethodName(),
      MasterServiceGrpc.getDeleteNamespaceMethod().getFullMethodName());

  @Override
  public void getChunkLocations(GetChunkLocationsRequest req,
      StreamObserver<GetChunkLocationsResponse> obs) {
    replies.reply(obs, () -> {
      RequestValidator.nonNegative("start_index", req.getStartIndex());
      RequestValidator.nonNegative("max_chunks", req.getMaxChunks());
      GetChunkLocationsRequest normalized = req.toBuilder()
          .setNamespace(RequestValidator.namespace(req.getNamespace()))
          .setPath(RequestValidator.path(req.getPath()))
          .build();
      return query(MasterQuery.newBuilder().setChunkLocations(normalized))
          .thenCompose(r -> withLease(req.getForWrite(), r.getChunkLocations()))
          .thenApply(this::finishLocations);
    });
  }

  private CompletableFuture<GetChunkLocationsResponse> withLease(boolean forWrite,
      GetChunkLocationsResponse r) {
    int count = r.getFile().getChunkCount();
    if (!forWrite || r.getChunksCount() == 0
        || r.getChunks(r.getChunksCount() - 1).getIndex() != count - 1) {
      return CompletableFuture.completedFuture(r);
    }
    ChunkInfo last = r.getChunks(r.getChunksCount() - 1);
    return leases.ensureLease(last.getHandle(), "").thenApply(leased ->
        r.toBuilder().setChunks(r.getChunksCount() - 1, leased).build());
  }

  private GetChunkLocationsResponse finishLocations(GetChunkLocationsResponse r) {
    GetChunkLocationsResponse.Builder b = r.toBuilder().clearChunks()
        .setChunkSize(ctx.config().chunkSizeBytes());
    r.getChunksList().forEach(c -> b.addChunks(views.withLiveAddresses(c)));
    return b.build();
  }

  @Override
  public void getClusterStatus(GetClusterStatusRequest req,
      StreamObserver<GetClusterStatusResponse> obs) {
    replies.reply(obs, () -> query(MasterQuery.newBuilder()
            .setStats(StatsQuery.getDefaultInstance()))
        .thenApply(r -> {
          ChunkserverRegistry registry = ctx.registry();
          Instant now = registry.now();
          GetClusterStatusResponse.Builder b = GetClusterStatusResponse.newBuilder()
              .setLeaderId(gateway.nodeId())
              .setFileCount(r.getStats().getFileCount())
              .setChunkCount(r.getStats().getChunkCount())
              .setUnderReplicatedChunks(ctx.replication().underReplicatedCount())
              .setSafeMode(ctx.replication().inSafeMode());
          for (ChunkserverRecord s : sorted(registry.all())) {
            b.addChunkservers(ChunkserverStatus.newBuilder()
                .setServerId(s.serverId())
                .setAddress(ChunkViews.location(s))
                .setAlive(registry.isLive(s, now))
                .setChunkCount(s.replicas().size())
                .setFreeBytes(s.usage().freeBytes())
                .setTotalBytes(s.usage().diskTotalBytes())
                .setBuildInfo(s.buildInfo())
                .setLastHeartbeatMsAgo(now.toEpochMilli() - s.lastHeartbeat().toEpochMilli()));
          }
          return b.build();
        }));
  }

  @Override
  public void getClusterPressure(GetClusterPressureRequest req,
      StreamObserver<GetClusterPressureResponse> obs) {
    replies.reply(obs, () -> {
      gateway.checkLeader();
      ChunkserverRegistry registry = ctx.registry();
      Instant now = registry.now();
      GetClusterPressureResponse.Builder b = GetClusterPressureResponse.newBuilder();
      for (ChunkserverRecord s : sorted(registry.all())) {
        b.addChunkservers(ChunkserverPressure.newBuilder()
            .setServerId(s.serverId())
            .setHost(s.address().host())
            .setCpuPercent(s.usage().cpuPercent())
            .setMemoryUsedBytes(s.usage().memoryUsedBytes())
            .setMemoryTotalBytes(s.usage().memoryTotalBytes())
            .setDiskUsedBytes(s.usage().diskUsedBytes())
            .setDiskTotalBytes(s.usage().diskTotalBytes())
            .setSampledMsAgo(now.toEpochMilli() - s.lastHeartbeat().toEpochMilli())
            .setAlive(registry.isLive(s, now)));
      }
      return CompletableFuture.completedFuture(b.build());
    });
  }

  private static List<ChunkserverRecord> sorted(List<ChunkserverRecord> records) {
    return records.stream()
        .sorted(java.util.Comparator.comparing(ChunkserverRecord::serverId)).toList();
  }

  private CompletableFuture<MasterResult> propose(RequestId id, MasterCommand.Builder command) {
    return gateway.submit(id, command.build()).thenApply(r -> {
      LeaseService.check(r.getCode(), r.getMessage());
      return r;
    });
  }

  private CompletableFuture<MasterQueryResult> query(MasterQuery.Builder q) {
    return gateway.query(q.build()).thenApply(r -> {
      LeaseService.check(r.getCode(), r.getMessage());
      return r;
    });
  }
}
