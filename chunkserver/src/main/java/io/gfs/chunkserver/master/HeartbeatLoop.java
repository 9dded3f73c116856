package io.gfs.chunkserver.master;

import io.gfs.proto.ChunkCommand;
import io.gfs.proto.ChunkReport;
import io.gfs.proto.ChunkserverIdentity;
import io.gfs.proto.HeartbeatRequest;
import io.gfs.proto.HeartbeatResponse;
import io.gfs.proto.RegisterRequest;
import io.gfs.proto.RegisterResponse;
import io.gfs.proto.ResourceUsage;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Registers with and heartbeats to every master (so a new leader starts warm), learns the leader
 * and the cluster chunk size from the replies, and executes the leader's commands, ignoring any
 * whose Raft term is older than the newest term seen.
 */
public final class HeartbeatLoop implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(HeartbeatLoop.class);

  private final String nodeId;
  private final MasterLink link;
  private final Supplier<ChunkserverIdentity> identity;
  private final Supplier<ResourceUsage> usage;
  private final Supplier<List<ChunkReport>> inventory;
  private final CommandHandler commands;
  private final Executor worker;
  private final ScheduledExecutorService timer;
  private final Duration interval;
  private final LongConsumer chunkSizeSink;
  private final Map<String, MasterState> perMaster = new ConcurrentHashMap<>();
  private final AtomicLong newestTerm = new AtomicLong();
  private volatile ScheduledFuture<?> task;

  private static final class MasterState {
    final AtomicBoolean inFlight = new AtomicBoolean();
    volatile boolean registered;
  }

  public HeartbeatLoop(String nodeId, MasterLink link, Supplier<ChunkserverIdentity> identity,
      Supplier<ResourceUsage> usage, Supplier<List<ChunkReport>> inventory,
      CommandHandler commands, Executor worker, ScheduledExecutorService timer,
      Duration interval, LongConsumer chunkSizeSink) {
    this.nodeId = nodeId;
    this.link = link;
    this.identity = identity;
    this.usage = usage;
    this.inventory = inventory;
    this.commands = commands;
    this.worker = worker;
    this.timer = timer;
    this.interval = interval;
    this.chunkSizeSink = chunkSizeSink;
    link.masters().forEach(m -> perMaster.put(m, new MasterState()));
  }

  public HeartbeatLoop start() {
    task = timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** One round: a Register or Heartbeat to each master without a call still in flight. */
  void tick() {
    try {
      ChunkserverIdentity id = identity.get();
      ResourceUsage u = usage.get();
      List<ChunkReport> chunks = inventory.get();
      perMaster.forEach((address, state) -> {
        if (!state.inFlight.compareAndSet(false, true)) {
          return; // a slow master never piles up calls
        }
        try {
          if (!state.registered) {
            register(address, state, RegisterRequest.newBuilder().setIdentity(id).setUsage(u)
                .addAllChunks(chunks).build());
          } else {
            heartbeat(address, state, HeartbeatRequest.newBuilder().setIdentity(id).setUsage(u)
                .addAllChunks(chunks).build());
          }
        } catch (RuntimeException e) {
          state.inFlight.set(false); // a call that never started must not block the next round
          LOG.warn("{} heartbeat not sent master={} error={}", nodeId, address, e.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("{} heartbeat round failed error={}", nodeId, e.toString());
    }
  }

  private void register(String address, MasterState state, RegisterRequest req) {
    link.stub(address).register(req, new Reply<>(address, state) {
      @Override
      public void onNext(RegisterResponse r) {
        state.registered = true;
        LOG.info("{} registered with master master={} leader={} term={}", nodeId, address,
            r.getLeader(), r.getTerm());
        learn(address, r.getLeader(), r.getTerm(), r.getChunkSize());
      }
    });
  }

  private void heartbeat(String address, MasterState state, HeartbeatRequest req) {
    link.stub(address).heartbeat(req, new Reply<>(address, state) {
      @Override
      public void onNext(HeartbeatResponse r) {
        if (r.getReregister()) {
          state.registered = false;
        }
        learn(address, r.getLeader(), r.getTerm(), r.getChunkSize());
        if (r.getLeader()) {
          for (ChunkCommand c : r.getCommandsList()) {
            execute(c);
          }
        }
      }
    });
  }

  private void learn(String address, boolean leader, long term, long chunkSize) {
    newestTerm.accumulateAndGet(term, Math::max);
    if (leader) {
      link.noteLeader(address);
      if (chunkSize > 0) {
        chunkSizeSink.accept(chunkSize);
      }
    }
  }

  private void execute(ChunkCommand c) {
    long newest = newestTerm.accumulateAndGet(c.getTerm(), Math::max);
    if (c.getTerm() < newest) {
      LOG.info("{} ignoring command from an older term term={} newest={}", nodeId, c.getTerm(),
          newest);
      return;
    }
    worker.execute(() -> {
      try {
        switch (c.getCommandCase()) {
          case DELETE_CHUNK -> commands.deleteChunk(c.getDeleteChunk().getHandle());
          case COPY_CHUNK -> commands.copyChunk(c.getCopyChunk());
          default -> LOG.warn("{} unknown master command case={}", nodeId, c.getCommandCase());
        }
      } catch (RuntimeException e) {
        LOG.warn("{} master command failed command={} error={}", nodeId, c.getCommandCase(),
            e.toString());
      }
    });
  }

  private abstract class Reply<T> implements StreamObserver<T> {
    final String address;
    final MasterState state;

    Reply(String address, MasterState state) {
      this.address = address;
      this.state = state;
    }

    @Override
    public void onError(Throwable t) {
      state.inFlight.set(false);
      LOG.debug("{} heartbeat failed master={} error={}", nodeId, address, t.toString());
    }

    @Override
    public void onCompleted() {
      state.inFlight.set(false);
    }
  }

  @Override
  public void close() {
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
    }
  }
}
