package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.master.MasterCalls;
import io.gfs.chunkserver.replication.ChunkErrors;
import io.gfs.chunkserver.replication.PeerChannels;
import io.gfs.chunkserver.replication.ReplicaEngine;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.proto.CatchUpRequest;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.GetChunkStateRequest;
import io.gfs.proto.GetChunkStateResponse;
import io.gfs.proto.ReadCommittedRequest;
import io.gfs.proto.ReadCommittedResponse;
import io.gfs.proto.ReplicaProblem;
import io.gfs.proto.SetVersionRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Makes this server ready to act as primary at a new chunk version (DESIGN §4 step 8): collects
 * the committed (length, sequence) from enough replicas to see every acknowledged write, adopts
 * the highest (copying missing committed bytes to itself), reports lagging replicas stale, sets
 * the new version everywhere reachable and discards uncommitted staging. Blocking, with a
 * deadline on every call; runs on the primary's worker pool.
 */
final class ChunkRecovery {
  private static final Logger LOG = LogManager.getLogger(ChunkRecovery.class);

  private final String nodeId;
  private final ReplicaEngine engine;
  private final PeerChannels peers;
  private final MasterCalls master;
  private final long deadlineMs;
  private final long copyDeadlineMs;
  private final ChunkLocation self;
  private final WriteMetrics metrics;

  /** {@code self}: this server's replication address, the source lagging replicas copy from. */
  ChunkRecovery(String nodeId, ChunkLocation self, ReplicaEngine engine, PeerChannels peers,
      MasterCalls master, long deadlineMs, WriteMetrics metrics) {
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.self = self;
    this.copyDeadlineMs = deadlineMs * 6;
    this.engine = engine;
    this.peers = peers;
    this.master = master;
    this.deadlineMs = deadlineMs;
  }

  private record State(long length, long sequence, boolean sealed, long version) {}

  PrimaryChunk recover(ChunkInfo info) {
    metrics.recoveries.inc();
    String handle = info.getHandle();
    long version = info.getVersion();
    List<ChunkLocation> secondaries = new ArrayList<>();
    for (ChunkLocation l : info.getReplicasList()) {
      if (!l.getServerId().equals(nodeId)) {
        secondaries.add(l);
      }
    }
    State self = engine.state(handle).map(ChunkRecovery::of).orElse(new State(0, 0, false, 0));
    Map<ChunkLocation, State> states = new LinkedHashMap<>();
    // asked in parallel: recovery waits for the slowest replica's deadline, not their sum
    GetChunkStateRequest ask = GetChunkStateRequest.newBuilder().setHandle(handle).build();
    Map<ChunkLocation, CompletableFuture<GetChunkStateResponse>> asked = new LinkedHashMap<>();
    for (ChunkLocation peer : secondaries) {
      asked.put(peer, RpcFutures.unary(obs -> peers.stub(peer.getHost(),
              peer.getReplicationPort())
          .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).getChunkState(ask, obs)));
    }
    RpcFutures.settled(List.copyOf(asked.values())).join();
    asked.forEach((peer, f) -> {
      if (RpcFutures.succeeded(f)) {
        GetChunkStateResponse r = f.join();
        states.put(peer, new State(r.getCommittedLength(), r.getCommittedSequence(),
            r.getSealed(), r.getVersion()));
      } else {
        LOG.warn("{} recovery could not reach replica chunk={} replica={} error={}", nodeId,
            handle, peer.getServerId(), f.handle((r, e) -> e).join().toString());
      }
    });
    int n = 1 + secondaries.size();
    int needed = n >= 3 ? n / 2 + 1 : n;
    if (1 + states.size() < needed) {
      throw new ChunkException(Code.QUORUM_FAILED, "recovery of chunk " + handle + " reached "
          + (1 + states.size()) + " of " + needed + " replicas needed");
    }
    for (State s : states.values()) {
      if (s.version > version || self.version > version) {
        throw new ChunkException(Code.STALE_VERSION, "a replica of chunk " + handle
            + " has a version newer than the lease's " + version);
      }
    }
    State best = self;
    ChunkLocation bestPeer = null;
    for (Map.Entry<ChunkLocation, State> e : states.entrySet()) {
      State s = e.getValue();
      if (s.length > best.length || (s.length == best.length && s.sequence > best.sequence)) {
        best = s;
        bestPeer = e.getKey();
      }
    }
    engine.store().createIfAbsent(handle, version);
    if (bestPeer != null && best.length > self.length) {
      copyFrom(bestPeer, handle, self.length, best);
    }
    engine.setVersion(handle, version);
    boolean sealed = self.sealed || states.values().stream().anyMatch(State::sealed);
    if (sealed) {
      engine.store().seal(handle); // once full, always full, whoever is primary
    }
    List<String> lagging = new ArrayList<>();
    for (Map.Entry<ChunkLocation, State> e : states.entrySet()) {
      ChunkLocation peer = e.getKey();
      if (e.getValue().length < best.length && !catchUp(peer, handle, version, best)) {
        lagging.add(peer.getServerId());
        master.reportReplicaProblem(handle, version, peer.getServerId(),
            ReplicaProblem.MISSED_COMMIT, "behind the recovered committed length "
                + best.length + " at " + e.getValue().length);
        continue;
      }
      try {
        peers.blockingStub(peer.getHost(), peer.getReplicationPort())
            .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
            .setVersion(SetVersionRequest.newBuilder().setHandle(handle).setVersion(version)
                .setPrimaryId(nodeId).build());
      } catch (RuntimeException ex) {
        LOG.warn("{} could not set version on replica chunk={} replica={} error={}", nodeId,
            handle, peer.getServerId(), ex.toString());
      }
    }
    LOG.info("{} primary recovered chunk={} version={} length={} sequence={} stale={}", nodeId,
        handle, version, best.length, best.sequence, lagging);
    PrimaryChunk pc = new PrimaryChunk(handle, version, secondaries, info.getLeaseExpiryMs(),
        best.length, best.sequence, sealed);
    pc.excluded.addAll(lagging);
    return pc;
  }

  /**
   * Gives {@code server} a full, verified copy of this server's committed bytes at
   * {@code version}, replacing whatever it has (a replica rejoining after it missed commits: its
   * own prefix may hold a mutation no quorum committed, so nothing of it is kept). The caller
   * makes sure no mutation is in flight. False, logged, if the copy failed.
   */
  boolean giveFullCopy(String handle, long version, ChunkLocation server) {
    long length = engine.state(handle).map(ChunkMeta::committedLength).orElse(0L);
    try {
      peers.blockingStub(server.getHost(), server.getReplicationPort())
          .withDeadlineAfter(copyDeadlineMs, TimeUnit.MILLISECONDS)
          .catchUp(CatchUpRequest.newBuilder().setHandle(handle).setVersion(version)
              .setPrimaryId(nodeId).setSource(self).setReplace(true).build());
      LOG.info("{} rejoining replica copied chunk={} version={} length={} replica={}", nodeId,
          handle, version, length, server.getServerId());
      return true;
    } catch (RuntimeException e) {
      LOG.warn("{} rejoining replica could not copy chunk={} version={} replica={} error={}",
          nodeId, handle, version, server.getServerId(), e.toString());
      return false;
    }
  }

  /** Asks a lagging replica to copy what it lacks from this server; false if it could not. */
  private boolean catchUp(ChunkLocation peer, String handle, long version, State best) {
    try {
      peers.blockingStub(peer.getHost(), peer.getReplicationPort())
          .withDeadlineAfter(copyDeadlineMs, TimeUnit.MILLISECONDS)
          .catchUp(CatchUpRequest.newBuilder().setHandle(handle).setVersion(version)
              .setPrimaryId(nodeId).setSource(self).setCommittedLength(best.length)
              .setCommittedSequence(best.sequence).build());
      return true;
    } catch (RuntimeException e) {
      LOG.warn("{} lagging replica could not catch up chunk={} replica={} error={}", nodeId,
          handle, peer.getServerId(), e.toString());
      return false;
    }
  }

  private void copyFrom(ChunkLocation peer, String handle, long from, State target) {
    long pos = from;
    long localSeq = engine.state(handle).map(ChunkMeta::committedSequence).orElse(0L);
    try {
      Iterator<ReadCommittedResponse> it = peers.blockingStub(peer.getHost(),
              peer.getReplicationPort())
          .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
          .readCommitted(ReadCommittedRequest.newBuilder().setHandle(handle).setOffset(from)
              .setLength(target.length - from).build());
      while (it.hasNext() && pos < target.length) {
        ReadCommittedResponse piece = it.next();
        long after = pos + piece.getData().size();
        long seq = after >= target.length ? target.sequence : localSeq;
        engine.store().appendCommitted(handle, pos, piece.getData().asReadOnlyByteBuffer(), seq);
        pos = after;
      }
    } catch (RuntimeException e) {
      throw ChunkErrors.fromThrowable(e);
    }
    if (pos != target.length) {
      throw new ChunkException(Code.QUORUM_FAILED, "copied " + (pos - from) + " of "
          + (target.length - from) + " missing bytes of chunk " + handle);
    }
    LOG.info("{} recovery copied committed bytes chunk={} from={} bytes={} source={}", nodeId,
        handle, from, pos - from, peer.getServerId());
  }

  private static State of(ChunkMeta m) {
    return new State(m.committedLength(), m.committedSequence(), m.sealed(), m.version());
  }
}
