package io.gfs.chunkserver.primary;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

/** The write engine's metrics, declared together (STYLE: logs and metrics). */
final class WriteMetrics {
  final Counter committed;
  final Counter failed;
  final Counter committedBytes;
  final Counter missedCommits;
  final Counter recoveries;
  final Timer latency;
  /** Stages streamed to secondaries over their data planes / over gRPC (older or unknown). */
  final Counter stagesOverDataPlane;
  final Counter stagesOverGrpc;
  /**
   * COMMITs sent to secondaries and not yet answered. A write is acknowledged once a quorum has
   * committed, so the slowest replica's commit may still be in flight then.
   */
  final Counter commitsInFlight;
  /** COMMITs sent to secondaries over their data planes / over gRPC (older, unknown, fallback). */
  final Counter commitsOverDataPlane;
  final Counter commitsOverGrpc;
  /** COMMITs sent right behind their stage's data, before READY (of those over data planes). */
  final Counter commitsBeforeReady;

  WriteMetrics(MetricRegistry registry) {
    committed = registry.counter("gfs.chunkserver.write.committed");
    failed = registry.counter("gfs.chunkserver.write.failed");
    committedBytes = registry.counter("gfs.chunkserver.write.committed.bytes");
    missedCommits = registry.counter("gfs.chunkserver.replica.missed_commits");
    recoveries = registry.counter("gfs.chunkserver.primary.recoveries");
    latency = registry.timer("gfs.chunkserver.write.latency");
    stagesOverDataPlane = registry.counter("gfs.chunkserver.write.stages.dataplane");
    stagesOverGrpc = registry.counter("gfs.chunkserver.write.stages.grpc");
    commitsInFlight = registry.counter("gfs.chunkserver.write.commits.in_flight");
    commitsOverDataPlane = registry.counter("gfs.chunkserver.write.commits.dataplane");
    commitsOverGrpc = registry.counter("gfs.chunkserver.write.commits.grpc");
    commitsBeforeReady = registry.counter("gfs.chunkserver.write.commits.before_ready");
  }
}
