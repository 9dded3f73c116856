package io.gfs.master.server;

import io.gfs.master.lease.LeaseDecider;
import io.gfs.master.placement.PlacementPolicy;
import io.gfs.master.registry.ChunkserverRegistry;
import io.gfs.master.replication.ReplicationManager;
import io.gfs.master.replication.ReplicationSettings;
import io.gfs.master.service.ChunkserverControlServiceImpl;
import io.gfs.master.service.MasterAdminServiceImpl;
import io.gfs.master.service.MasterServiceImpl;
import io.gfs.master.service.RaftGateway;
import io.gfs.master.service.ServiceContext;
import io.gfs.master.statemachine.GfsStateMachine;
import io.gfs.master.statemachine.LeadershipListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;

/**
 * One master process: a Ratis server (its own Raft port) and the master's gRPC API (its own
 * port). {@link #start} on a directory with state recovers it; {@link #close} stops everything
 * and a new instance can start again on the same directory.
 */
public final class MasterServer implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(MasterServer.class);

  /** All masters of one cluster share this group. */
  public static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("gfs-master".getBytes(StandardCharsets.UTF_8)));

  private final MasterConfig config;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final GrpcServices.Customizer raftRpcCustomizer;
  private final Consumer<Throwable> fatalErrorHandler;

  // Set by start(), cleared by close(); start and close run on the owner's thread.
  private RaftServer raftServer;
  private GfsStateMachine stateMachine;
  private Server apiServer;
  private ExecutorService callbackExecutor;
  private ExecutorService grpcExecutor;
  private ScheduledThreadPoolExecutor timer;
  private ChunkserverRegistry registry;
  private ScheduledThreadPoolExecutor replicationTimer;
  private ReplicationManager replication;
  private ReplicationSettings replicationSettings; // null: derived from the config

  /**
   * @param raftRpcCustomizer hook on the Ratis gRPC server builder (tests use it to cut links);
   *     null for none
   * @param fatalErrorHandler told when the state machine hit a broken invariant; must stop the
   *     process or at least this master
   */
  public MasterServer(MasterConfig config, InstantSource clock, RandomGenerator random,
      GrpcServices.Customizer raftRpcCustomizer, Consumer<Throwable> fatalErrorHandler) {
    this.config = config;
    this.clock = clock;
    this.random = random;
    this.raftRpcCustomizer = raftRpcCustomizer;
    this.fatalErrorHandler = fatalErrorHandler;
  }

  public synchronized void start() throws IOException {
    if (raftServer != null) {
      throw new IllegalStateException("master " + config.nodeId() + " already started");
    }
    LOG.info("{} master starting config={}", config.nodeId(), config);
    File storageDir = config.dataDir().resolve("raft").toFile();
    Files.createDirectories(storageDir.toPath());
    RaftProperties properties = RaftSettings.build(config, storageDir);
    Parameters parameters = new Parameters();
    if (raftRpcCustomizer != null) {
      GrpcConfigKeys.Server.setServicesCustomizer(parameters, raftRpcCustomizer);
    }
    boolean hasState = new File(storageDir, GROUP_ID.getUuid().toString()).exists();
    stateMachine = new GfsStateMachine(config.nodeId(), leadershipLogger(), fatalErrorHandler,
        config.checkpointThreshold());
    raftServer = RaftServer.newBuilder()
        .setServerId(RaftPeerId.valueOf(config.nodeId()))
        .setGroup(RaftGroup.valueOf(GROUP_ID, peers()))
        .setStateMachine(stateMachine)
        .setProperties(properties)
        .setParameters(parameters)
        // Never FORMAT a directory that holds state.
        .setOption(hasState ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
        .build();
    try {
      raftServer.start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }

    String id = config.nodeId();
    callbackExecutor = BoundedExecutors.fixed("gfs-master-" + id + "-callback", 4, 10_000);
    grpcExecutor = BoundedExecutors.fixed("gfs-master-" + id + "-grpc", 8, 10_000);
    timer = new ScheduledThreadPoolExecutor(1, BoundedExecutors.named("gfs-master-" + id + "-timer"));
    timer.setRemoveOnCancelPolicy(true);
    registry = new ChunkserverRegistry(id, clock, config.heartbeatExpiry());
    Map<String, PeerSpec> peersById = new LinkedHashMap<>();
    config.peers().forEach(p -> peersById.put(p.id(), p));
    RaftGateway gateway = new RaftGateway(id, raftServer, GROUP_ID, peersById,
        stateMachine.appliedRequests(), config.writesInFlight(), callbackExecutor, timer,
        config.requestTimeout(), clock);
    replicationTimer = new ScheduledThreadPoolExecutor(1,
        BoundedExecutors.named("gfs-master-" + id + "-replication"));
    replicationTimer.setRemoveOnCancelPolicy(true);
    GfsStateMachine machine = stateMachine;
    replication = new ReplicationManager(id, replicationSettings(), gateway, registry,
        machine::state, config.chunkSizeBytes(), clock, random).start(replicationTimer);
    ServiceContext ctx = new ServiceContext(config, gateway, registry,
        new PlacementPolicy(random),
        new LeaseDecider(clock, config.leaseDuration(), clockSkewMargin()),
        clock, random, callbackExecutor, replication);
    apiServer = NettyServerBuilder
        .forAddress(new InetSocketAddress(config.apiBindHost(), config.self().apiPort()))
        // Calls start on the transport thread; all but the client lookups then move to the
        // handler pool (MasterServiceImpl.INLINE_METHODS).
        .directExecutor()
        .callExecutor(new ServerCallExecutorSupplier() {
          @Override
          public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call,
              Metadata headers) {
            return MasterServiceImpl.INLINE_METHODS.contains(
                call.getMethodDescriptor().getFullMethodName()) ? null : grpcExecutor;
          }
        })
        .maxInboundMessageSize(16 * 1024 * 1024)
        .addService(new MasterServiceImpl(ctx))
        .addService(new ChunkserverControlServiceImpl(ctx))
        .addService(new MasterAdminServiceImpl(ctx))
        .build()
        .start();
    LOG.info("{} master started raftPort={} apiPort={} recovered={} commonPoolParallelism={}", id,
        config.self().raftPort(), config.self().apiPort(), hasState, CommonPool.parallelism());
    if (!CommonPool.pooled()) {
      LOG.warn("{}: the JVM's common pool has parallelism {}, so Ratis starts a new thread for"
          + " each of its async tasks (every append on a follower); start the JVM with -D{}={}"
          + " (bin/gfs does)", id, CommonPool.parallelism(), CommonPool.PARALLELISM_PROPERTY,
          CommonPool.MIN_PARALLELISM);
    }
  }

  private ReplicationSettings replicationSettings() {
    return replicationSettings != null ? replicationSettings
        : ReplicationSettings.defaults(config.heartbeatExpiry(), clockSkewMargin());
  }

  /**
   * Replaces the derived re-replication and garbage-collection settings (tests); call before
   * {@link #start}.
   */
  public synchronized MasterServer withReplicationSettings(ReplicationSettings settings) {
    this.replicationSettings = settings;
    return this;
  }

  /** How far masters' clocks may differ; lease expiries are compared across leaders. */
  private Duration clockSkewMargin() {
    Duration tenth = config.leaseDuration().dividedBy(10);
    return tenth.compareTo(Duration.ofSeconds(1)) < 0 ? tenth : Duration.ofSeconds(1);
  }

  private List<RaftPeer> peers() {
    return config.peers().stream().map(p -> RaftPeer.newBuilder()
            .setId(p.id())
            .setAddress(p.raftAddress())
            // The API address as Ratis "client address": any master can name the leader's API.
            .setClientAddress(p.apiAddress())
            .build())
        .toList();
  }

  private LeadershipListener leadershipLogger() {
    String id = config.nodeId();
    return new LeadershipListener() {
      @Override
      public void leaderChanged(String leaderId, long term) {
        LOG.info("{} leader changed leader={} term={}", id, leaderId.isEmpty() ? "-" : leaderId,
            term);
      }

      @Override
      public void leaderReady(long term) {
        LOG.info("{} leader ready term={}", id, term);
      }
    };
  }

  public MasterConfig config() {
    return config;
  }

  public RaftServer raftServer() {
    return raftServer;
  }

  public GfsStateMachine stateMachine() {
    return stateMachine;
  }

  public ChunkserverRegistry registry() {
    return registry;
  }

  public boolean isRunning() {
    return raftServer != null;
  }

  /** True when this master is the Raft leader and ready to serve. */
  public boolean isLeader() {
    try {
      RaftServer.Division d = raftServer == null ? null : raftServer.getDivision(GROUP_ID);
      return d != null && d.getInfo().isLeader() && d.getInfo().isLeaderReady();
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized void close() {
    if (raftServer == null) {
      return;
    }
    LOG.info("{} master stopping", config.nodeId());
    if (replication != null) {
      replication.close();
    }
    if (apiServer != null) {
      apiServer.shutdownNow();
      try {
        apiServer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      raftServer.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("{} raft server close failed", config.nodeId(), e);
    }
    for (ExecutorService pool : new ExecutorService[] {replicationTimer, timer, callbackExecutor,
        grpcExecutor}) {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    raftServer = null;
    apiServer = null;
    LOG.info("{} master stopped", config.nodeId());
  }
}
