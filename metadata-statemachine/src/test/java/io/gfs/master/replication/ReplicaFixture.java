package io.gfs.master.replication;

import io.gfs.master.registry.ChunkserverRecord;
import io.gfs.master.registry.ReplicaReport;
import io.gfs.master.registry.ResourceSample;
import io.gfs.master.registry.ServerAddress;
import io.gfs.master.statemachine.MasterState;
import io.gfs.proto.AddReplicaOp;
import io.gfs.proto.AllocateChunkOp;
import io.gfs.proto.ChunkCommit;
import io.gfs.proto.CommitChunksOp;
import io.gfs.proto.CreateFileOp;
import io.gfs.proto.MarkStaleOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A master state built through real commands, plus chunkserver reports, for the planners. */
final class ReplicaFixture {
  static final long CHUNK_BYTES = 1 << 20;
  static final ReplicationSettings SETTINGS = new ReplicationSettings(Duration.ofSeconds(1),
      Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofMillis(500), 2, 10);

  final MasterState state = new MasterState();
  private final Map<String, Map<String, ReplicaReport>> reports = new LinkedHashMap<>();
  private long index;
  private long clockMs = 1_000;

  static String handle(int n) {
    return String.format("00000000-0000-4000-8000-%012d", n);
  }

  MasterResult apply(MasterCommand c) {
    clockMs += 1;
    MasterResult r = state.apply(++index, c.toBuilder().setTimestampMs(clockMs).build());
    if (r.getCode() != 0) {
      throw new AssertionError("command failed: " + r.getMessage());
    }
    return r;
  }

  /** A file /fN with one chunk on {@code replicas}, committed to {@code length}. */
  void chunk(int n, List<String> replicas, long leaseExpiryMs, long length) {
    apply(MasterCommand.newBuilder().setCreateFile(CreateFileOp.newBuilder().setNamespace("default")
        .setPath("/f" + n)).build());
    apply(MasterCommand.newBuilder().setAllocateChunk(AllocateChunkOp.newBuilder()
        .setNamespace("default").setPath("/f" + n).setChunkIndex(0).setHandle(handle(n))
        .addAllReplicas(replicas).setPrimary(replicas.get(0)).setLeaseExpiryMs(leaseExpiryMs))
        .build());
    apply(MasterCommand.newBuilder().setCommitChunks(CommitChunksOp.newBuilder().addCommits(
        ChunkCommit.newBuilder().setHandle(handle(n)).setVersion(1).setCommittedLength(length)))
        .build());
  }

  void markStale(int n, String server) {
    apply(MasterCommand.newBuilder().setMarkStale(MarkStaleOp.newBuilder().setHandle(handle(n))
        .setServerId(server).setVersion(1)).build());
  }

  MasterResult addReplica(int n, String server, long version, long timestampMs) {
    clockMs = timestampMs - 1;
    return apply(MasterCommand.newBuilder().setAddReplica(AddReplicaOp.newBuilder()
        .setHandle(handle(n)).setServerId(server).setVersion(version)).build());
  }

  ReplicaFixture server(String id) {
    reports.putIfAbsent(id, new LinkedHashMap<>());
    return this;
  }

  ReplicaFixture report(String server, int n, long version, long length) {
    server(server).reports.get(server).put(handle(n),
        new ReplicaReport(handle(n), version, length, false, 0));
    return this;
  }

  ReplicaFixture reportHandle(String server, String handle) {
    server(server).reports.get(server).put(handle, new ReplicaReport(handle, 1, 0, false, 0));
    return this;
  }

  Map<String, ChunkserverRecord> live() {
    Map<String, ChunkserverRecord> out = new LinkedHashMap<>();
    reports.forEach((id, r) -> out.put(id, new ChunkserverRecord(id,
        new ServerAddress("127.0.0.1", 1, 2, 3), "", new ResourceSample(0, 0, 0, 0, 0,
            100 * CHUNK_BYTES), r, Instant.EPOCH)));
    return out;
  }

  static List<String> targets(List<CopyPlanner.Plan> plans) {
    List<String> out = new ArrayList<>();
    plans.forEach(p -> out.add(p.target().serverId()));
    return out;
  }
}
