package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.master.MasterCalls;
import io.gfs.chunkserver.replication.ChunkErrors;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ReplicaRejoin;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The leases this server holds as primary. A lease is claimed from the master leader on the first
 * write (ClaimPrimary), recovered at its version, cached until its expiry (less a safety margin),
 * and renewed while writes continue.
 */
final class LeaseTable {
  private static final Logger LOG = LogManager.getLogger(LeaseTable.class);

  private final String nodeId;
  private final MasterCalls master;
  private final ChunkRecovery recovery;
  private final Executor worker;
  private final InstantSource clock;
  private final PrimarySettings settings;
  private final Map<String, CompletableFuture<PrimaryChunk>> leases = new ConcurrentHashMap<>();

  LeaseTable(String nodeId, MasterCalls master, ChunkRecovery recovery, Executor worker,
      InstantSource clock, PrimarySettings settings) {
    this.nodeId = nodeId;
    this.master = master;
    this.recovery = recovery;
    this.worker = worker;
    this.clock = clock;
    this.settings = settings;
  }

  boolean valid(PrimaryChunk pc) {
    return clock.millis() < pc.leaseExpiryMs() - settings.leaseSafetyMargin().toMillis();
  }

  /** The chunk's primary state if its lease is held and valid now, else null; never claims. */
  PrimaryChunk held(String handle) {
    CompletableFuture<PrimaryChunk> current = leases.get(handle);
    if (current == null || !current.isDone() || current.isCompletedExceptionally()) {
      return null;
    }
    PrimaryChunk pc = current.join();
    return valid(pc) ? pc : null;
  }

  /**
   * This server's primary state for the chunk, claiming and recovering the lease if none is
   * cached or the cached one is older than {@code version}.
   */
  CompletableFuture<PrimaryChunk> acquire(String handle, long version) {
    CompletableFuture<PrimaryChunk> current = leases.get(handle);
    if (current != null) {
      if (!current.isDone()) {
        return current;
      }
      PrimaryChunk pc = current.isCompletedExceptionally() ? null : current.join();
      // A client with a newer version than our lease has seen a newer grant: claim again.
      if (pc != null && valid(pc) && pc.version >= version) {
        maybeRenew(pc);
        return current;
      }
    }
    CompletableFuture<PrimaryChunk> claim = new CompletableFuture<>();
    CompletableFuture<PrimaryChunk> raced = current == null ? leases.putIfAbsent(handle, claim)
        : (leases.replace(handle, current, claim) ? null : leases.get(handle));
    if (raced != null) {
      return raced;
    }
    claimInto(claim, handle, master.claimPrimary(handle));
    return claim;
  }

  /** Recovers the chunk at the granted version once {@code granted} answers; completes claim. */
  private void claimInto(CompletableFuture<PrimaryChunk> claim, String handle,
      CompletableFuture<ChunkInfo> granted) {
    granted
        .thenApplyAsync(info -> {
          requireMine(info);
          return recovery.recover(info);
        }, worker)
        .whenComplete((pc, err) -> {
          if (err != null) {
            leases.remove(handle, claim);
            claim.completeExceptionally(ChunkErrors.fromThrowable(err));
          } else {
            LOG.info("{} lease acquired chunk={} version={} expiryMs={}", nodeId, handle,
                pc.version, pc.leaseExpiryMs());
            claim.complete(pc);
          }
        });
  }

  /**
   * Brings {@code server} back into the chunk's replicas (the master's ReplicaRejoin hint): stops
   * assigning mutations under the current lease, waits for those in flight to settle, gives the
   * server a full copy, and claims the lease again naming it, so the master adds it with a
   * version bump and this server recovers at the new version. Writes arriving meanwhile wait for
   * the new lease (then find their version old and retry with the new one, as after any grant).
   */
  private void rejoin(PrimaryChunk pc, ChunkLocation server) {
    CompletableFuture<PrimaryChunk> current = leases.get(pc.handle);
    if (current == null || !current.isDone() || current.isCompletedExceptionally()
        || current.join() != pc || !valid(pc) || pc.sealed()) {
      return;
    }
    CompletableFuture<PrimaryChunk> claim = new CompletableFuture<>();
    if (!leases.replace(pc.handle, current, claim)) {
      return;
    }
    pc.retire();
    LOG.info("{} replica rejoining, writes paused chunk={} version={} replica={}", nodeId,
        pc.handle, pc.version, server.getServerId());
    CompletableFuture<ChunkInfo> granted = pc.drained()
        .thenApplyAsync(ignored -> recovery.giveFullCopy(pc.handle, pc.version, server)
            ? List.of(server.getServerId()) : List.<String>of(), worker)
        .thenCompose(rejoined -> master.claimPrimary(pc.handle, rejoined));
    claimInto(claim, pc.handle, granted);
  }

  private void requireMine(ChunkInfo info) {
    if (!info.getPrimary().equals(nodeId)) {
      throw new ChunkException(Code.NOT_PRIMARY, "the master names " + info.getPrimary()
          + " as primary of chunk " + info.getHandle());
    }
  }

  private void maybeRenew(PrimaryChunk pc) {
    long left = pc.leaseExpiryMs() - clock.millis();
    if (left > settings.renewBefore().toMillis() || !pc.renewing.compareAndSet(false, true)) {
      return;
    }
    master.renewLeases(List.of(pc.handle)).whenComplete((resp, err) -> {
      pc.renewing.set(false);
      if (err != null) {
        LOG.warn("{} lease renewal failed chunk={} error={}", nodeId, pc.handle, err.toString());
        return;
      }
      for (ChunkInfo c : resp.getRenewedList()) {
        if (c.getHandle().equals(pc.handle) && c.getVersion() == pc.version) {
          pc.extendLease(c.getLeaseExpiryMs());
        }
      }
      if (resp.getLostList().contains(pc.handle)) {
        LOG.info("{} lease lost chunk={} version={}", nodeId, pc.handle, pc.version);
        drop(pc);
        return;
      }
      for (ReplicaRejoin r : resp.getRejoinList()) {
        if (r.getHandle().equals(pc.handle)) {
          rejoin(pc, r.getServer());
          break; // one at a time: the next renewal names the next one
        }
      }
    });
  }

  void drop(PrimaryChunk pc) {
    leases.computeIfPresent(pc.handle,
        (h, f) -> f.isDone() && !f.isCompletedExceptionally() && f.join() == pc ? null : f);
  }

  /** Lease expiries of the valid leases held, for heartbeats. */
  Map<String, Long> expiries() {
    Map<String, Long> out = new TreeMap<>();
    leases.forEach((h, f) -> {
      if (f.isDone() && !f.isCompletedExceptionally() && valid(f.join())) {
        out.put(h, f.join().leaseExpiryMs());
      }
    });
    return out;
  }
}
