package io.gfs.chunkserver.primary;

import com.codahale.metrics.MetricRegistry;
import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.dataplane.ChunkOperations;
import io.gfs.chunkserver.dataplane.PeerStages;
import io.gfs.chunkserver.master.MasterCalls;
import io.gfs.chunkserver.replication.Mutation;
import io.gfs.chunkserver.replication.PeerChannels;
import io.gfs.chunkserver.replication.ReplicaEngine;
import io.gfs.chunkserver.replication.StageSession;
import io.gfs.chunkserver.storage.ChunkHandles;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.MutationHeader;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The chunkserver's {@link ChunkOperations}: reads from local storage, writes through the
 * primary's two-phase commit. The data-plane server calls only this.
 */
public final class WriteEngine implements ChunkOperations, AutoCloseable {
  private final ReplicaEngine engine;
  private final PrimaryContext ctx;
  private final CommitReporter reporter;
  private final AbandonedLeases abandoned;
  // Replaced only by tests of this package (the node builds this engine, so the hook cannot be
  // a constructor argument without widening the node's API for a test-only concern).
  private volatile CommitFaults faults = CommitFaults.NONE;
  private volatile boolean commitsBeforeReady = true;

  /**
   * @param self this server's advertised address (lagging replicas copy from it)
   * @param stages streams mutations to the secondaries' data planes (gRPC where they cannot)
   * @param io a named, bounded pool for the primary's staging and commit steps
   * @param recovery a named, bounded pool for lease claims and recoveries (they block on
   *     replicas, with deadlines, and must not starve the write path)
   * @param timer a named scheduler for coalesced commit reports
   * @param chunkSizeBytes the cluster's chunk size, as last learned from the master
   */
  public WriteEngine(String nodeId, ChunkLocation self, ReplicaEngine engine, PeerChannels peers,
      PeerStages stages, MasterCalls master,
      Executor io, Executor recovery, ScheduledExecutorService timer, InstantSource clock,
      PrimarySettings settings,
      LongSupplier chunkSizeBytes, MetricRegistry metrics) {
    WriteMetrics writeMetrics = new WriteMetrics(metrics);
    this.engine = engine;
    this.reporter = new CommitReporter(nodeId, master, timer,
        Math.max(1, settings.commitReportInterval().toMillis()));
    ChunkRecovery chunkRecovery = new ChunkRecovery(nodeId, self, engine, peers, master,
        settings.replicaDeadline().toMillis(), writeMetrics);
    LeaseTable leases = new LeaseTable(nodeId, master, chunkRecovery, recovery, clock,
        settings);
    this.ctx = new PrimaryContext(nodeId, engine, peers, stages, master, leases, reporter, io, timer,
        clock, settings, chunkSizeBytes, writeMetrics, new AtomicLong(clock.millis() * 1000));
    this.abandoned = new AbandonedLeases(ctx);
  }

  @Override
  public ReadRegion read(String handle, long version, long offset, long length) {
    return engine.store().read(handle, version, offset, length);
  }

  @Override
  public long committedLength(String handle, long version) {
    ChunkMeta m = engine.state(ChunkHandles.require(handle)).orElseThrow(
        () -> new ChunkException(Code.NOT_FOUND, "no replica of chunk " + handle));
    if (m.version() != version) {
      throw new ChunkException(Code.STALE_VERSION, "requested version " + version
          + " but replica has version " + m.version());
    }
    return m.committedLength();
  }

  @Override
  public WriteSession beginWrite(String handle, long version, long offset, long length,
      int crc32c) {
    check(handle, version, offset, length);
    return new PrimarySession(ctx, abandoned, faults, handle, version, offset, length, crc32c);
  }

  /**
   * Quick when nothing needs the disk or a wait: the lease is held and valid at this version,
   * the replica is at that version (no fencing write), and the stage fits in memory. Then the
   * session sets itself up at once, with only in-memory work and asynchronous gRPC calls.
   */
  @Override
  public WriteSession tryBeginWriteQuickly(String handle, long version, long offset,
      long length, int crc32c) {
    PrimaryChunk held = ctx.leases().held(handle);
    if (held == null || held.version != version || abandoned.recovering(handle)
        || !engine.store().canStageInMemory(length)) {
      return null;
    }
    ChunkMeta meta = engine.state(handle).orElse(null);
    if (meta == null || meta.version() != version || meta.sealed()) {
      return null;
    }
    return beginWrite(handle, version, offset, length, crc32c);
  }

  /** A secondary's stage of a primary's mutation, streamed over the data plane (STAGE). */
  @Override
  public WriteSession beginStage(MutationHeader header) {
    Mutation m = mutationOf(header);
    if (m.isOrdered()) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "a stage carries no sequence, got "
          + m.sequence());
    }
    return new StageSession(engine, m, engine.beginStage(m), ctx.io());
  }

  /** A COMMIT; one that overtook its stage's last bytes waits for them (commitsBeforeReady). */
  @Override
  public CompletableFuture<Committed> commitStaged(MutationHeader header) {
    Mutation m = mutationOf(header);
    CompletableFuture<Void> staged = engine.stageSettled(m);
    CompletableFuture<ChunkMeta> applied = staged.isDone() ? engine.commit(m)
        : staged.thenComposeAsync(v -> engine.commit(m), ctx.io()); // settled on a data plane loop
    return applied.thenApply(meta -> new Committed(meta.committedLength(),
        meta.committedSequence()));
  }

  @Override
  public boolean commitsBeforeReady() {
    return commitsBeforeReady;
  }

  /** Test hook: this replica's stages and commits. */
  ReplicaEngine replicaEngine() {
    return engine;
  }

  /** Test hook: answer STAGE probes as a server that takes COMMIT only after READY. */
  void takeCommitsOnlyAfterReady() {
    commitsBeforeReady = false;
  }

  /** A primary's header as a mutation; one that breaks its rules is INVALID_ARGUMENT. */
  private static Mutation mutationOf(MutationHeader header) {
    try {
      return Mutation.fromProto(header);
    } catch (IllegalArgumentException e) {
      throw new ChunkException(Code.INVALID_ARGUMENT, e.getMessage());
    }
  }

  /** Quick when the replica is at the stage's version and the stage fits in memory. */
  @Override
  public WriteSession tryBeginStageQuickly(MutationHeader header) {
    ChunkMeta meta = engine.state(ChunkHandles.require(header.getHandle())).orElse(null);
    if (meta == null || meta.version() != header.getVersion() || meta.sealed()
        || !engine.store().canStageInMemory(header.getLength())) {
      return null;
    }
    return beginStage(header);
  }

  private void check(String handle, long version, long offset, long length) {
    ChunkHandles.require(handle);
    long chunkSize = ctx.chunkSizeBytes().getAsLong();
    if (length < 0 || offset < -1 || version <= 0) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "bad write: version=" + version
          + " offset=" + offset + " length=" + length);
    }
    if (offset == -1 && length > chunkSize / 4) {
      throw new ChunkException(Code.RECORD_TOO_LARGE, "record of " + length
          + " bytes exceeds a quarter of the chunk size " + chunkSize);
    }
    if (offset >= 0 && offset + length > chunkSize) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "write of " + length + " bytes at "
          + offset + " crosses the chunk end " + chunkSize);
    }
    // staging plus the chunk copy need twice the bytes; refuse before any byte is streamed
    if (engine.store().freeBytes() < 2 * length) {
      throw new ChunkException(Code.NO_SPACE, "not enough free space for " + length + " bytes");
    }
  }

  /** Test hook: faults around the commit phase of the writes that begin after this call. */
  void injectCommitFaults(CommitFaults f) {
    faults = f == null ? CommitFaults.NONE : f;
  }

  /** Valid leases held as primary: handle → expiry (master wall clock, ms), for heartbeats. */
  public Map<String, Long> leaseExpiries() {
    return ctx.leases().expiries();
  }

  @Override
  public void close() {
    reporter.close();
    try {
      // last committed lengths reach the master before the link closes, if it answers in time
      reporter.flush().get(ctx.settings().masterDeadline().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the master catches up from heartbeats
    }
  }
}
