package io.gfs.master.replication;

import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ChunkserverRegistry;
import io.gfs.master.service.RaftGateway;
import io.gfs.master.statemachine.MasterState;
import io.gfs.proto.AddReplicaOp;
import io.gfs.proto.ChunkCommand;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.CopyChunkCommand;
import io.gfs.proto.DeleteChunkCommand;
import io.gfs.proto.MasterCommand;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The leader's background replica work (DESIGN §5): every period, after the safe mode, it
 * re-replicates under-replicated chunks and garbage-collects orphan and stale replicas, through
 * commands queued for the chunkservers' next heartbeat replies (each carrying the leader's term).
 * A copy becomes a replica (AddReplicaOp, version-checked in apply) once the target's heartbeat
 * reports it at the chunk's version with the full committed length. All planning runs on the one
 * planner thread; heartbeat threads only drain the queue and note safe-mode progress.
 */
public final class ReplicationManager implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ReplicationManager.class);
  private static final int COMMANDS_PER_SERVER_MAX = 1_000;

  private final String nodeId;
  private final ReplicationSettings settings;
  private final RaftGateway gateway;
  private final ChunkserverRegistry registry;
  private final Supplier<MasterState> state;
  private final InstantSource clock;
  private final SafeMode safeMode;
  private final CommandQueue commands = new CommandQueue(COMMANDS_PER_SERVER_MAX);
  private final ConcurrentLinkedQueue<InFlightCopy> proposed = new ConcurrentLinkedQueue<>();
  // The planner thread only:
  private final CopyPlanner planner;
  private final GarbageCollector collector;
  private final CopyTracker copies = new CopyTracker();
  private final Set<InFlightCopy> proposing = new HashSet<>();
  private long plannedTerm = -1;
  private volatile ScheduledFuture<?> task;

  public ReplicationManager(String nodeId, ReplicationSettings settings, RaftGateway gateway,
      ChunkserverRegistry registry, Supplier<MasterState> state, long chunkSizeBytes,
      InstantSource clock, RandomGenerator random) {
    this.nodeId = nodeId;
    this.settings = settings;
    this.gateway = gateway;
    this.registry = registry;
    this.state = state;
    this.clock = clock;
    this.safeMode = new SafeMode(settings.safeModeMax());
    this.planner = new CopyPlanner(settings, chunkSizeBytes, random);
    this.collector = new GarbageCollector(nodeId, settings);
  }

  /** Runs {@link #tick} every period on {@code scheduler} (one thread). */
  public ReplicationManager start(ScheduledExecutorService scheduler) {
    task = scheduler.scheduleWithFixedDelay(this::tick, settings.period().toMillis(),
        settings.period().toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** One planning round; does nothing on a follower. */
  void tick() {
    try {
      if (!gateway.isLeader()) {
        if (plannedTerm != -1) {
          reset(-1);
        }
        return;
      }
      long term = gateway.currentTerm();
      Instant now = clock.instant();
      if (term != plannedTerm) {
        reset(term);
        LOG.info("{} replica work leading term={} safeMode=true", nodeId, term);
      }
      safeMode.leading(term, now);
      Map<String, ChunkserverRecord> live = liveById();
      MasterState s = state.get();
      finishCopies(s, live, now);
      if (safeMode.active(live.keySet(), now)) {
        return;
      }
      for (CopyPlanner.Plan p : planner.plan(s, live, copies, now)) {
        schedule(p, term, now);
      }
      for (GarbageCollector.Deletion d : collector.collect(s, live, now, copies::isTarget)) {
        LOG.info("{} garbage collection deleting chunk={} server={} reason={}", nodeId,
            d.handle(), d.serverId(), d.reason());
        commands.offer(d.serverId(), ChunkCommand.newBuilder().setTerm(term)
            .setDeleteChunk(DeleteChunkCommand.newBuilder().setHandle(d.handle())).build());
      }
    } catch (RuntimeException e) {
      LOG.warn("{} replica work round failed error={}", nodeId, e.toString(), e);
    }
  }

  private void reset(long term) {
    plannedTerm = term;
    copies.clear();
    proposing.clear();
    proposed.clear();
    commands.clear();
    collector.reset();
  }

  private void schedule(CopyPlanner.Plan p, long term, Instant now) {
    ChunkInfo c = p.chunk();
    InFlightCopy copy = new InFlightCopy(c.getHandle(), c.getVersion(), p.source().serverId(),
        p.target().serverId(), c.getLeaseExpiryMs(), now.plus(settings.copyTimeout()));
    ChunkLocation source = ChunkLocation.newBuilder().setServerId(p.source().serverId())
        .setHost(p.source().address().host())
        .setDataPort(p.source().address().dataPort())
        .setReplicationPort(p.source().address().replicationPort())
        .build();
    boolean queued = commands.offer(copy.target(), ChunkCommand.newBuilder().setTerm(term)
        .setCopyChunk(CopyChunkCommand.newBuilder().setHandle(c.getHandle())
            .setVersion(c.getVersion()).setSource(source))
        .build());
    if (queued) {
      copies.add(copy);
      LOG.info("{} re-replication scheduled chunk={} version={} source={} target={} good={}",
          nodeId, c.getHandle(), c.getVersion(), copy.source(), copy.target(), p.good());
    }
  }

  /** Turns copies that showed up into replicas; gives up on late or overtaken ones. */
  private void finishCopies(MasterState s, Map<String, ChunkserverRecord> live, Instant now) {
    for (InFlightCopy done; (done = proposed.poll()) != null; ) {
      proposing.remove(done);
      copies.remove(done);
    }
    for (InFlightCopy copy : copies.all()) {
      if (proposing.contains(copy)) {
        continue;
      }
      Optional<ChunkInfo> chunk = s.chunk(copy.handle());
      if (chunk.isEmpty()) {
        copies.remove(copy); // its file was deleted meanwhile; the copy is an orphan now
        continue;
      }
      ChunkInfo c = chunk.get();
      boolean arrived = ReplicaHealth.holdsGoodCopy(live.get(copy.target()), copy.handle(),
          c.getVersion(), c.getCommittedLength());
      if (arrived && c.getVersion() == copy.version()
          && c.getLeaseExpiryMs() == copy.leaseExpiryMs()
          && !LeaseCheck.mayHold(c, now, settings.leaseMargin())) {
        propose(copy);
      } else if (c.getVersion() != copy.version()
          || c.getLeaseExpiryMs() != copy.leaseExpiryMs()) {
        // A lease was granted since the copy was planned: it may lack commits.
        LOG.info("{} re-replication overtaken by a lease chunk={} target={}", nodeId,
            copy.handle(), copy.target());
        copies.fail(copy, now, settings.period());
      } else if (now.isAfter(copy.deadline())) {
        LOG.warn("{} re-replication timed out chunk={} source={} target={}", nodeId,
            copy.handle(), copy.source(), copy.target());
        copies.fail(copy, now, settings.copyTimeout());
      }
    }
  }

  private void propose(InFlightCopy copy) {
    proposing.add(copy);
    MasterCommand cmd = MasterCommand.newBuilder().setAddReplica(AddReplicaOp.newBuilder()
        .setHandle(copy.handle()).setServerId(copy.target()).setVersion(copy.version())).build();
    try {
      gateway.submitInternal(cmd).whenComplete((r, e) -> {
        if (e != null || r.getCode() != 0) {
          LOG.warn("{} replica not added chunk={} server={} error={}", nodeId, copy.handle(),
              copy.target(), e != null ? e.toString() : r.getMessage());
        } else if (r.getCount() == 0) {
          LOG.info("{} replica not added (ignored by the state) chunk={} server={} version={}",
              nodeId, copy.handle(), copy.target(), copy.version());
        } else {
          LOG.info("{} replica added chunk={} server={} version={} source={}", nodeId,
              copy.handle(), copy.target(), copy.version(), copy.source());
        }
        proposed.add(copy);
      });
    } catch (RuntimeException e) {
      proposing.remove(copy);
      LOG.warn("{} replica not added chunk={} server={} error={}", nodeId, copy.handle(),
          copy.target(), e.toString());
    }
  }

  /**
   * The commands for a chunkserver's heartbeat reply (leader only; empty otherwise), and notes
   * that it reported to this leader (safe-mode progress).
   */
  public List<ChunkCommand> onReport(String serverId) {
    if (!gateway.isLeader()) {
      return List.of();
    }
    long term = gateway.currentTerm();
    safeMode.heard(serverId, term, clock.instant());
    return commands.drain(serverId, term);
  }

  /**
   * Chunks with fewer good replicas than min(3, live chunkservers); a chunk being appended to is
   * not counted for replicas whose last heartbeat predates its latest commits.
   */
  public long underReplicatedCount() {
    Map<String, ChunkserverRecord> live = liveById();
    int target = ReplicaHealth.target(live.size());
    Instant now = clock.instant();
    return state.get().countChunksWhere(
        c -> ReplicaHealth.goodCount(c, live, now, settings.leaseMargin()) < target);
  }

  /** True while this leader is in its safe mode (answered by the leader). */
  public boolean inSafeMode() {
    Instant now = clock.instant();
    safeMode.leading(gateway.currentTerm(), now);
    return safeMode.active(liveById().keySet(), now);
  }

  private Map<String, ChunkserverRecord> liveById() {
    Map<String, ChunkserverRecord> out = new LinkedHashMap<>();
    for (ChunkserverRecord r : registry.live()) {
      out.put(r.serverId(), r);
    }
    return out;
  }

  @Override
  public void close() {
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
    }
  }
}
