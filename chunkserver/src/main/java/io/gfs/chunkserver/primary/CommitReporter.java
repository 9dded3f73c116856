package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.master.MasterCalls;
import io.gfs.proto.ChunkCommit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reports committed lengths to the master coalesced per chunk, off the client's critical path
 * (DESIGN §4 step 6). Lengths only advance. A sealed chunk is reported at once.
 */
final class CommitReporter implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(CommitReporter.class);

  private final String nodeId;
  private final MasterCalls master;
  private final ScheduledExecutorService timer;
  private final Map<String, ChunkCommit> pending = new HashMap<>(); // guarded by this
  private final ScheduledFuture<?> task;

  CommitReporter(String nodeId, MasterCalls master, ScheduledExecutorService timer,
      long intervalMs) {
    this.nodeId = nodeId;
    this.master = master;
    this.timer = timer;
    this.task = timer.scheduleWithFixedDelay(() -> {
      flush();
    }, intervalMs, intervalMs,
        TimeUnit.MILLISECONDS);
  }

  void committed(String handle, long version, long length, boolean sealed) {
    synchronized (this) {
      ChunkCommit old = pending.get(handle);
      if (old == null || old.getVersion() < version || old.getCommittedLength() < length
          || (sealed && !old.getSealed())) {
        pending.put(handle, ChunkCommit.newBuilder().setHandle(handle)
            .setVersion(Math.max(version, old == null ? 0 : old.getVersion()))
            .setCommittedLength(Math.max(length, old == null ? 0 : old.getCommittedLength()))
            .setSealed(sealed || (old != null && old.getSealed())).build());
      }
    }
    if (sealed) {
      timer.execute(() -> {
        flush();
      });
    }
  }

  CompletableFuture<Void> flush() {
    List<ChunkCommit> batch;
    synchronized (this) {
      if (pending.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      batch = new ArrayList<>(pending.values());
      pending.clear();
    }
    return master.reportCommits(batch).whenComplete((v, err) -> {
      if (err != null) {
        LOG.warn("{} commit report failed, will retry chunks={} error={}", nodeId, batch.size(),
            err.toString());
        batch.forEach(c -> committed(c.getHandle(), c.getVersion(), c.getCommittedLength(),
            false));
        if (batch.stream().anyMatch(ChunkCommit::getSealed)) {
          synchronized (this) {
            batch.stream().filter(ChunkCommit::getSealed).forEach(c -> pending.put(c.getHandle(),
                pending.get(c.getHandle()).toBuilder().setSealed(true).build()));
          }
        }
      }
    });
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
