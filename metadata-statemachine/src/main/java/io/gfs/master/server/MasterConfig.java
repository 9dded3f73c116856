package io.gfs.master.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The whole configuration of one master process, validated once at construction with plain
 * messages ({@link IllegalArgumentException}).
 *
 * @param nodeId this master's id, one of {@code peers}
 * @param peers the three masters of the Raft group
 * @param apiBindHost where this master's client API listens (its port comes from its peer entry)
 * @param dataDir Raft log, checkpoints; nothing is written outside it
 * @param chunkSizeBytes the cluster's chunk size
 * @param leaseDuration primary lease length
 * @param heartbeatExpiry a chunkserver silent for longer is not live
 * @param electionTimeoutMin Raft election timeout lower bound (also the leader-lease basis)
 * @param electionTimeoutMax Raft election timeout upper bound
 * @param checkpointThreshold commands (and at most log entries) between automatic checkpoints
 * @param requestTimeout deadline for one Raft round trip of a request (write or read)
 * @param writesInFlight log entries of writes the leader keeps in Raft at once; writes arriving
 *     meanwhile go into the next entry together; 0 = every write its own entry at once
 * @param checkpointOnStop write a checkpoint when the master stops cleanly (SIGTERM, systemd
 *     stop), if anything was applied since the newest one, so the next start loads it instead
 *     of replaying the log tail; a crash still replays
 */
public record MasterConfig(
    String nodeId,
    List<PeerSpec> peers,
    String apiBindHost,
    Path dataDir,
    long chunkSizeBytes,
    Duration leaseDuration,
    Duration heartbeatExpiry,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    long checkpointThreshold,
    Duration requestTimeout,
    int writesInFlight,
    boolean checkpointOnStop) {

  public static final long DEFAULT_CHUNK_SIZE_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(60);
  public static final Duration DEFAULT_HEARTBEAT_EXPIRY = Duration.ofSeconds(15);
  /**
   * A follower notices a dead leader between one and two of these after its last heartbeat
   * (Ratis re-checks once per randomised timeout), which dominates a failover. 400-800 ms stays
   * clear of the flapping seen at Ratis's 150-300 ms default on loaded 2-core machines: the
   * leader sends heartbeats every min/2, pre-vote stops a lone slow follower from disturbing a
   * live leader, and the leader lease (0.9 x min) shrinks with it, so reads stay linearizable.
   * Measured with the benchmark's W8 (kill -9 of the leader under 8-thread creates, two runs of
   * 10 kills each, median and max unavailability): 500-1000 ms 1.08 / 1.83 and 1.37 / 1.86 s,
   * 400-800 ms 0.89 / 1.28 and 1.09 / 1.39 s, 300-600 ms 0.82 / 1.02 and 0.90 / 1.07 s; no
   * election in any of them other than the kills'.
   */
  public static final Duration DEFAULT_ELECTION_MIN = Duration.ofMillis(400);
  public static final Duration DEFAULT_ELECTION_MAX = Duration.ofMillis(800);
  /**
   * A restart replays at most about this many commands after loading the newest checkpoint (one
   * is taken after this many log entries or commands, whichever comes first); replay runs at a
   * few thousand commands a second on a loaded machine, loading a checkpoint of 60,000 files
   * about a second. Writing one (60,000 files: 0.2-0.9 s there; applies wait meanwhile) every
   * 20,000 commands costs little.
   */
  public static final long DEFAULT_CHECKPOINT_THRESHOLD = 20_000;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /**
   * One write entry in Raft at a time: whatever arrives meanwhile shares the next entry, so
   * every Raft round carries all the writes that waited for it. Measured with the benchmark
   * (W3 / W6 at 8 threads, creates / deletes per second, medians of 3): 0 (an entry per write,
   * as before batching) 1764 / 2180, 1 2931 / 3475, 2 2371 / 2505, 4 2084 / 2276; at one
   * thread all the same within noise (a lone writer never waits).
   */
  public static final int DEFAULT_WRITES_IN_FLIGHT = 1;
  /**
   * A restart from the log replays everything since the newest checkpoint after the election,
   * because Raft keeps no commit index on disk (RaftSettings): with W7's 60,000 files the
   * benchmark's restart of all masters took 5.4 s from the log against 3.9 s from a checkpoint.
   * A clean stop now writes one (a 60,000-file checkpoint: a few hundred ms) so a planned restart
   * starts from it.
   */
  public static final boolean DEFAULT_CHECKPOINT_ON_STOP = true;

  public MasterConfig {
    peers = List.copyOf(peers == null ? List.of() : peers);
    if (peers.size() != 3) {
      throw new IllegalArgumentException("exactly 3 peers are required, got " + peers.size());
    }
    Set<String> ids = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (PeerSpec p : peers) {
      if (!ids.add(p.id())) {
        throw new IllegalArgumentException("duplicate peer id " + p.id());
      }
      if (!addresses.add(p.raftAddress()) || !addresses.add(p.apiAddress())) {
        throw new IllegalArgumentException("peer " + p.id() + " reuses an address: " + p);
      }
    }
    if (nodeId == null || !ids.contains(nodeId)) {
      throw new IllegalArgumentException("node id '" + nodeId + "' is not one of the peers " + ids);
    }
    if (apiBindHost == null || apiBindHost.isBlank()) {
      throw new IllegalArgumentException("api bind host is empty");
    }
    if (dataDir == null) {
      throw new IllegalArgumentException("data dir is missing");
    }
    if (chunkSizeBytes < 1024 || chunkSizeBytes > (1L << 32)) {
      throw new IllegalArgumentException("chunk size must be 1 KiB..4 GiB, got " + chunkSizeBytes);
    }
    positive("lease duration", leaseDuration);
    positive("heartbeat expiry", heartbeatExpiry);
    positive("election timeout min", electionTimeoutMin);
    positive("election timeout max", electionTimeoutMax);
    positive("request timeout", requestTimeout);
    if (electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new IllegalArgumentException("election timeout max (" + electionTimeoutMax
          + ") must exceed min (" + electionTimeoutMin + ")");
    }
    if (writesInFlight < 0 || writesInFlight > 1024) {
      throw new IllegalArgumentException("writes in flight must be 0..1024, got "
          + writesInFlight);
    }
    if (checkpointThreshold < 1) {
      throw new IllegalArgumentException("checkpoint threshold must be >= 1, got "
          + checkpointThreshold);
    }
  }

  /**
   * The record's form, written out: the generated one builds its method handles on first use,
   * and a starting master calls it once, for its first log line - that and the string joins
   * spun 40 % of the method-handle classes a start made, whose bytecode generator the JIT then
   * compiled at the cost of 0.8 CPU s per master (W7: all three start on two cores).
   */
  @Override
  public String toString() {
    return "MasterConfig[nodeId=" + nodeId + ", peers=" + peers + ", apiBindHost=" + apiBindHost
        + ", dataDir=" + dataDir + ", chunkSizeBytes=" + chunkSizeBytes + ", leaseDuration="
        + leaseDuration + ", heartbeatExpiry=" + heartbeatExpiry + ", electionTimeoutMin="
        + electionTimeoutMin + ", electionTimeoutMax=" + electionTimeoutMax
        + ", checkpointThreshold=" + checkpointThreshold + ", requestTimeout=" + requestTimeout
        + ", writesInFlight=" + writesInFlight + ", checkpointOnStop=" + checkpointOnStop + "]";
  }

  private static void positive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }

  public PeerSpec self() {
    return peer(nodeId).orElseThrow();
  }

  public Optional<PeerSpec> peer(String id) {
    return peers.stream().filter(p -> p.id().equals(id)).findFirst();
  }

  /** A config with every tunable at its default. */
  public static MasterConfig withDefaults(String nodeId, List<PeerSpec> peers, Path dataDir) {
    return new MasterConfig(nodeId, peers, "0.0.0.0", dataDir, DEFAULT_CHUNK_SIZE_BYTES,
        DEFAULT_LEASE_DURATION, DEFAULT_HEARTBEAT_EXPIRY, DEFAULT_ELECTION_MIN,
        DEFAULT_ELECTION_MAX, DEFAULT_CHECKPOINT_THRESHOLD, DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_WRITES_IN_FLIGHT, DEFAULT_CHECKPOINT_ON_STOP);
  }

  public MasterConfig withDataDir(Path dir) {
    return new MasterConfig(nodeId, peers, apiBindHost, dir, chunkSizeBytes, leaseDuration,
        heartbeatExpiry, electionTimeoutMin, electionTimeoutMax, checkpointThreshold,
        requestTimeout, writesInFlight, checkpointOnStop);
  }

  public MasterConfig withCheckpointThreshold(long threshold) {
    return new MasterConfig(nodeId, peers, apiBindHost, dataDir, chunkSizeBytes, leaseDuration,
        heartbeatExpiry, electionTimeoutMin, electionTimeoutMax, threshold, requestTimeout,
        writesInFlight, checkpointOnStop);
  }

  public MasterConfig withTimes(Duration lease, Duration heartbeat) {
    return new MasterConfig(nodeId, peers, apiBindHost, dataDir, chunkSizeBytes, lease,
        heartbeat, electionTimeoutMin, electionTimeoutMax, checkpointThreshold, requestTimeout,
        writesInFlight, checkpointOnStop);
  }

  public MasterConfig withChunkSize(long bytes) {
    return new MasterConfig(nodeId, peers, apiBindHost, dataDir, bytes, leaseDuration,
        heartbeatExpiry, electionTimeoutMin, electionTimeoutMax, checkpointThreshold,
        requestTimeout, writesInFlight, checkpointOnStop);
  }

  public MasterConfig withCheckpointOnStop(boolean enabled) {
    return new MasterConfig(nodeId, peers, apiBindHost, dataDir, chunkSizeBytes, leaseDuration,
        heartbeatExpiry, electionTimeoutMin, electionTimeoutMax, checkpointThreshold,
        requestTimeout, writesInFlight, enabled);
  }

  public MasterConfig withWritesInFlight(int entries) {
    return new MasterConfig(nodeId, peers, apiBindHost, dataDir, chunkSizeBytes, leaseDuration,
        heartbeatExpiry, electionTimeoutMin, electionTimeoutMax, checkpointThreshold,
        requestTimeout, entries, checkpointOnStop);
  }
}
