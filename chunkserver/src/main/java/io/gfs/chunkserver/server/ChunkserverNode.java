package io.gfs.chunkserver.server;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.gfs.chunkserver.dataplane.ChunkOperations;
import io.gfs.chunkserver.dataplane.PeerStages;
import io.gfs.chunkserver.master.CommandHandler;
import io.gfs.chunkserver.master.HeartbeatLoop;
import io.gfs.chunkserver.master.MasterLink;
import io.gfs.chunkserver.master.ResourceSampler;
import io.gfs.chunkserver.primary.WriteEngine;
import io.gfs.chunkserver.replication.ChunkCopier;
import io.gfs.chunkserver.replication.PeerChannels;
import io.gfs.chunkserver.replication.ReplicaEngine;
import io.gfs.chunkserver.replication.ReplicationServer;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ChunkReport;
import io.gfs.proto.ChunkserverIdentity;
import io.gfs.proto.CopyChunkCommand;
import io.gfs.proto.ReplicaProblem;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One chunkserver: owns storage, the replication server, the write engine, the master link and
 * the data-plane server, starts them in dependency order and closes them in reverse.
 *
 * <p>The data-plane server is supplied by the caller as a {@link DataPlaneStarter}: this is where
 * the Netty data plane (package io.gfs.chunkserver.dataplane) is wired in; it is handed the
 * {@link ChunkOperations} this node implements.
 */
public final class ChunkserverNode implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ChunkserverNode.class);

  /** A running data-plane server. */
  public interface DataPlane extends AutoCloseable {
    /** The bound port (what is advertised to the master). */
    int port();

    @Override
    void close();
  }

  /** Starts the data-plane server on the configured bind address and data port. */
  @FunctionalInterface
  public interface DataPlaneStarter {
    /** {@code metrics}: the node's registry, where the data plane registers its metrics. */
    DataPlane start(ChunkOperations operations, ChunkserverConfig config, MetricRegistry metrics)
        throws Exception;

    /** No data plane (replication-only tests): advertises the configured data port. */
    DataPlaneStarter NONE = (ops, config, metrics) -> new DataPlane() {
      @Override
      public int port() {
        return config.dataPort();
      }

      @Override
      public void close() {}
    };
  }

  private final ChunkserverConfig config;
  private final DataPlaneStarter dataPlaneStarter;
  private final InstantSource clock;
  private final AtomicLong chunkSizeBytes;
  private final MetricRegistry metrics;
  private final List<AutoCloseable> started = new ArrayList<>(); // closed in reverse order
  private ChunkStore store;
  private ReplicaEngine replicas;
  private ReplicationServer replicationServer;
  private WriteEngine writeEngine;
  private DataPlane dataPlane;
  private PeerStages peerStages;

  public ChunkserverNode(ChunkserverConfig config, DataPlaneStarter dataPlaneStarter,
      InstantSource clock) {
    this(config, dataPlaneStarter, clock, new MetricRegistry());
  }

  /** {@code metrics}: the process's registry (the admin server exposes it). */
  public ChunkserverNode(ChunkserverConfig config, DataPlaneStarter dataPlaneStarter,
      InstantSource clock, MetricRegistry metrics) {
    this.metrics = metrics;
    this.config = config;
    this.dataPlaneStarter = dataPlaneStarter;
    this.clock = clock;
    this.chunkSizeBytes = new AtomicLong(config.defaultChunkSizeBytes());
  }

  public synchronized ChunkserverNode start() throws Exception {
    String id = config.id();
    LOG.info("{} chunkserver starting config={}", id, config);
    try {
      ScheduledExecutorService timer = own(NamedThreads.scheduled(id + "-timer", 2));
      ExecutorService io = own(NamedThreads.fixed(id + "-io", config.ioThreads()));
      ExecutorService replServer = own(NamedThreads.fixed(id + "-repl-server", 16));
      ExecutorService grpcClient = own(NamedThreads.fixed(id + "-grpc-client", 4));
      ExecutorService commands = own(NamedThreads.fixed(id + "-commands", 1));
      ExecutorService recovery = own(NamedThreads.fixed(id + "-recovery", 4));

      store = ChunkStore.open(id, config.dataDir(), config.directWrites(),
          config.directReads());
      started.add(store::close); // closed last: after everything that writes to it
      replicas = new ReplicaEngine(id, store, timer, config.primary().replicaDeadline(), 256,
          chunkSizeBytes::get);
      PeerChannels peers = new PeerChannels();
      started.add(peers);
      PeerStages stages = new PeerStages(id);
      peerStages = stages;
      started.add(stages);
      ChunkCopier copier = new ChunkCopier(id, replicas, peers,
          config.primary().replicaDeadline().multipliedBy(6).toMillis());
      replicationServer = new ReplicationServer(id,
          new InetSocketAddress(config.bindAddress(), config.replicationPort()), replicas,
          copier, replServer).start();
      started.add(replicationServer);
      MasterLink master = new MasterLink(id, config.masters(), grpcClient,
          config.primary().masterDeadline());
      started.add(master);
      store.onCorruption((handle, version, detail) -> master.reportReplicaProblem(handle,
          version, id, ReplicaProblem.CORRUPT, detail));
      ChunkLocation self = ChunkLocation.newBuilder().setServerId(id)
          .setHost(config.advertisedHost()).setReplicationPort(replicationServer.port()).build();
      writeEngine = new WriteEngine(id, self, replicas, peers, stages, master, io, recovery, timer,
          clock, config.primary(), chunkSizeBytes::get, metrics);
      // replaced, not reused: a restarted node in the same registry reports its new store
      metrics.remove("gfs.chunkserver.storage.chunks");
      metrics.register("gfs.chunkserver.storage.chunks",
          (Gauge<Integer>) () -> store.inventory().size());
      metrics.remove("gfs.chunkserver.storage.free.bytes");
      metrics.register("gfs.chunkserver.storage.free.bytes", (Gauge<Long>) store::freeBytes);
      started.add(writeEngine);
      dataPlane = dataPlaneStarter.start(writeEngine, config, metrics);
      started.add(dataPlane);

      ResourceSampler sampler = new ResourceSampler(store);
      HeartbeatLoop heartbeats = new HeartbeatLoop(id, master, this::identity, sampler::sample,
          this::inventory, new Commands(copier), commands, timer, config.heartbeatInterval(),
          this::adoptChunkSize).start();
      started.add(heartbeats);
      LOG.info("{} chunkserver started dataPort={} replicationPort={} gc={}", id,
          dataPlane.port(), replicationServer.port(), collectors());
      return this;
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private <T extends ExecutorService> T own(T pool) {
    started.add(() -> {
      pool.shutdownNow();
      pool.awaitTermination(5, TimeUnit.SECONDS);
    });
    return pool;
  }

  private void adoptChunkSize(long bytes) {
    long old = chunkSizeBytes.getAndSet(bytes);
    if (old != bytes) {
      LOG.info("{} cluster chunk size adopted bytes={}", config.id(), bytes);
    }
  }

  /** How this server, as a primary, streams mutations to its secondaries. */
  public PeerStages peerStages() {
    return peerStages;
  }

  /** This server's address as the master and clients see it. */
  public ChunkLocation location() {
    return ChunkLocation.newBuilder().setServerId(config.id()).setHost(config.advertisedHost())
        .setDataPort(dataPlane.port()).setReplicationPort(replicationServer.port()).build();
  }

  private ChunkserverIdentity identity() {
    return ChunkserverIdentity.newBuilder().setServerId(config.id()).setAddress(location())
        .setAdminPort(config.adminPort()).setBuildInfo(config.buildInfo()).build();
  }

  private List<ChunkReport> inventory() {
    Map<String, Long> leases = writeEngine.leaseExpiries();
    List<ChunkReport> out = new ArrayList<>();
    for (Map.Entry<String, ChunkMeta> e : store.inventory().entrySet()) {
      ChunkMeta m = e.getValue();
      out.add(ChunkReport.newBuilder().setHandle(e.getKey()).setVersion(m.version())
          .setCommittedLength(m.committedLength()).setSealed(m.sealed())
          .setLeaseExpiryMs(leases.getOrDefault(e.getKey(), 0L)).build());
    }
    return out;
  }

  private final class Commands implements CommandHandler {
    private final ChunkCopier copier;

    Commands(ChunkCopier copier) {
      this.copier = copier;
    }

    @Override
    public void deleteChunk(String handle) {
      replicas.delete(handle);
    }

    @Override
    public void copyChunk(CopyChunkCommand c) {
      copier.copy(c.getHandle(), c.getVersion(), c.getSource());
    }
  }

  /** The storage and write engine, for the data-plane server. */
  public ChunkOperations operations() {
    return writeEngine;
  }

  public MetricRegistry metrics() {
    return metrics;
  }

  public ChunkStore store() {
    return store;
  }

  public ChunkserverConfig config() {
    return config;
  }

  public long chunkSizeBytes() {
    return chunkSizeBytes.get();
  }

  @Override
  public synchronized void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        LOG.warn("{} error while stopping error={}", config.id(), e.toString());
      }
    }
    started.clear();
    LOG.info("{} chunkserver stopped", config.id());
  }

  /** The JVM's garbage collectors, e.g. "Copy,MarkSweepCompact" for the serial one (bin/gfs). */
  private static String collectors() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(","));
  }
}
