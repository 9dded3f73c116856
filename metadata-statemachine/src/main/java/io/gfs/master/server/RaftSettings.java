package io.gfs.master.server;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** The Ratis settings of a master (see RATIS.md for why each one is set). */
final class RaftSettings {

  /**
   * Ratis's retry cache no longer answers client retries (every entry has this master's own
   * client id and a new call id; see AppliedRequests), but it still keeps each entry's reply
   * for this long: short, so that costs little memory.
   */
  static final Duration RETRY_CACHE_EXPIRY = Duration.ofMinutes(1);
  /**
   * Small for Ratis (RATIS.md suggests 32-64 MB) because our entries are: a create is ~50 bytes,
   * so a 32 MB segment holds ~700,000 entries, and a restart reads every entry of every segment
   * still on disk, also those a checkpoint covers (only whole closed segments are purged). At
   * 2 MB a restart reads at most a segment plus the tail since the last checkpoint, and a busy
   * master rolls a segment every few seconds, not many times a second.
   */
  static final SizeInBytes SEGMENT_SIZE_MAX = SizeInBytes.valueOf("2MB");
  static final int SNAPSHOT_FILES_KEPT = 3;
  static final int PURGE_GAP = 1024;
  static final TimeDuration APPENDER_WAIT_MIN = TimeDuration.valueOf(300, TimeUnit.MICROSECONDS);

  private RaftSettings() {
  }

  static RaftProperties build(MasterConfig config, File storageDir) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir));
    GrpcConfigKeys.Server.setHost(p, config.self().host());
    GrpcConfigKeys.Server.setPort(p, config.self().raftPort());

    // Elections: 0.4-0.8 s by default. The 150-300 ms default flaps on loaded 2-core machines; a
    // leader that loses its majority steps down and waits only a short while before running.
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, td(config.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, td(config.electionTimeoutMax()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, td(config.electionTimeoutMax().multipliedBy(2)));
    RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p,
        td(config.electionTimeoutMin().plus(config.electionTimeoutMax())));
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
    // The first election after a start waits a quarter to a half of the minimum instead: when
    // all masters restart together nobody leads until someone runs, and 0.4-0.8 s of that was
    // pure waiting (W7). Safe: with pre-vote a started master cannot unseat a live leader (the
    // others refuse while they hear from it), and a failed first try falls back to the normal
    // timeouts.
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p,
        td(config.electionTimeoutMin().dividedBy(4)));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p,
        td(config.electionTimeoutMin().dividedBy(2)));

    // Reads: ReadIndex with the leader lease (the lease is off by default in 3.3.0); DEFAULT
    // could answer from a deposed leader.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Read.setTimeout(p, td(config.requestTimeout()));

    // Checkpoints: automatic, a few files kept. Purging only up to a gap behind the checkpoint
    // (never exactly to it) avoids the install-snapshot loop of RATIS-2487.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.checkpointThreshold());
    RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.min(1024, config.checkpointThreshold()));
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, SNAPSHOT_FILES_KEPT);
    // A checkpoint at a clean stop (if anything was applied since the last one): the next start
    // loads it instead of replaying the tail after the election (see MasterConfig). A crash, or
    // checkpoint-on-stop=false, still starts from the checkpoint + log tail.
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, config.checkpointOnStop());
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, false);
    RaftServerConfigKeys.Log.setPurgeGap(p, PURGE_GAP);

    // Log: small segments (see SEGMENT_SIZE_MAX); acknowledged means fsynced (no async or
    // unsafe flush). A corrupt segment stops the master (EXCEPTION): the operator moves that
    // replica's raft dir aside and hands the leadership to the third master, whose leader state
    // does not remember the lost log; it re-syncs from the checkpoint (ansible/README.md,
    // ResyncFromCheckpointTest).
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SEGMENT_SIZE_MAX);
    // No commit-index entries: with them on (Ratis's default) the leader appends, fsyncs and
    // replicates a second entry after each commit, so one create cost two rounds of log
    // writes on all three masters. Raft does not need the commit index on disk; a restarted
    // master learns it from the leader and applies the tail then. Measured with the
    // benchmark's creates / deletes at 1 thread (ops/s, median of 3, back-to-back):
    // on 521 / 590, off 779 / 870 (p50 1.65 -> 1.09 ms); 8 threads 1432 / 2044 -> 1793 / 2170.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
    RaftServerConfigKeys.Log.setCorruptionPolicy(p,
        RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);

    // Appender: at least 300 us between two appends to a follower (Ratis's default is 1 ms).
    // The gap trades one client's latency against batching under concurrency; measured with
    // the benchmark's creates (1 thread / 8 threads, ops/s): 1 ms 246 / 1701, 0 340 / 912
    // (every entry its own append and follower flush), 300 us 328 / 1558. Since the leader batches
    // writes itself (WritePipeline) the gap no longer matters: 0 and 300 us measured the same.
    RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, APPENDER_WAIT_MIN);

    RaftServerConfigKeys.RetryCache.setExpiryTime(p, td(RETRY_CACHE_EXPIRY));
    return p;
  }

  private static TimeDuration td(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }
}
