package io.gfs.chunkserver.replication;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ReadCommittedRequest;
import io.gfs.proto.ReadCommittedResponse;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Copies a chunk's committed bytes from a peer replica (the master's CopyChunk). Blocking. */
public final class ChunkCopier {
  private static final Logger LOG = LogManager.getLogger(ChunkCopier.class);

  private final String nodeId;
  private final ReplicaEngine engine;
  private final PeerChannels peers;
  private final long deadlineMs;

  public ChunkCopier(String nodeId, ReplicaEngine engine, PeerChannels peers, long deadlineMs) {
    this.nodeId = nodeId;
    this.engine = engine;
    this.peers = peers;
    this.deadlineMs = deadlineMs;
  }

  /**
   * The version a copy is built at: no master takes it for a replica (versions start at 1), so
   * a partial copy reported by a heartbeat mid-way is never counted as a good one.
   */
  static final long BUILDING_VERSION = 0;

  /**
   * Replaces any local replica with a copy of the source's committed bytes at {@code version}
   * (the master's re-replication). The copy is built at {@link #BUILDING_VERSION}, read back
   * against its block CRCs, and only then raised to {@code version} (and sealed if the source
   * is), so the next heartbeat reports either a complete, verified replica or none.
   */
  public void copy(String handle, long version, ChunkLocation source) {
    if (source.getServerId().equals(nodeId)) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "refusing to copy chunk " + handle
          + " from this server itself");
    }
    if (version < 1) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "copy of chunk " + handle
          + " at version " + version);
    }
    ChunkStore store = engine.store();
    ChunkMeta existing = engine.state(handle).orElse(null);
    if (existing != null && existing.version() > version) {
      throw new ChunkException(Code.STALE_VERSION, "replica of chunk " + handle
          + " has version " + existing.version() + ", newer than the copy's " + version);
    }
    engine.delete(handle);
    store.createIfAbsent(handle, BUILDING_VERSION);
    long pos = 0;
    long sourceLength = 0;
    boolean sealed = false;
    try {
      Iterator<ReadCommittedResponse> it = peers.blockingStub(source.getHost(),
              source.getReplicationPort())
          .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
          .readCommitted(ReadCommittedRequest.newBuilder().setHandle(handle).build());
      while (it.hasNext()) {
        ReadCommittedResponse piece = it.next();
        if (piece.getVersion() != version) {
          throw new ChunkException(Code.STALE_VERSION, "source has version "
              + piece.getVersion() + ", expected " + version);
        }
        sourceLength = piece.getCommittedLength();
        sealed = piece.getSealed();
        store.appendCommitted(handle, pos, piece.getData().asReadOnlyByteBuffer(),
            piece.getCommittedSequence());
        pos += piece.getData().size();
      }
      if (pos != sourceLength) {
        throw new ChunkException(Code.INTERNAL, "copied " + pos + " of " + sourceLength);
      }
      verify(store, handle, pos);
      engine.setVersion(handle, version);
      if (sealed) {
        store.seal(handle);
      }
    } catch (RuntimeException e) {
      engine.delete(handle); // never keep a partial copy that could be reported as a replica
      LOG.warn("{} chunk copy failed chunk={} version={} source={} error={}", nodeId, handle,
          version, source.getServerId(), e.toString());
      throw ChunkErrors.fromThrowable(e);
    }
    LOG.info("{} chunk copied chunk={} version={} length={} sealed={} source={}", nodeId,
        handle, version, pos, sealed, source.getServerId());
  }

  /** Reads the copy back: every block must match the CRC computed when it was written. */
  private static void verify(ChunkStore store, String handle, long length) {
    long pos = 0;
    while (pos < length) {
      byte[] piece = store.readCommitted(handle, pos, length - pos);
      if (piece.length == 0) {
        throw new ChunkException(Code.INTERNAL, "copy of chunk " + handle + " ends at " + pos
            + ", expected " + length);
      }
      pos += piece.length;
    }
  }

  /**
   * Brings this replica up to a new primary's recovered state by copying the committed bytes it
   * lacks from {@code source}. Appends only: bytes already committed here are never rewritten.
   */
  public ChunkMeta catchUp(String handle, long version, ChunkLocation source, long targetLength,
      long targetSequence) {
    ChunkMeta local = engine.state(handle).orElseGet(
        () -> engine.store().createIfAbsent(handle, version));
    if (local.version() > version) {
      throw new ChunkException(Code.STALE_VERSION, "replica version " + local.version()
          + " is newer than " + version);
    }
    long pos = local.committedLength();
    if (pos > targetLength) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "replica is ahead of the target length "
          + targetLength + " at " + pos);
    }
    if (pos < targetLength) {
      try {
        Iterator<ReadCommittedResponse> it = peers.blockingStub(source.getHost(),
                source.getReplicationPort())
            .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
            .readCommitted(ReadCommittedRequest.newBuilder().setHandle(handle).setOffset(pos)
                .setLength(targetLength - pos).build());
        while (it.hasNext() && pos < targetLength) {
          ReadCommittedResponse piece = it.next();
          long after = pos + piece.getData().size();
          long seq = after >= targetLength ? targetSequence : local.committedSequence();
          engine.store().appendCommitted(handle, pos, piece.getData().asReadOnlyByteBuffer(),
              seq);
          pos = after;
        }
      } catch (RuntimeException e) {
        throw ChunkErrors.fromThrowable(e);
      }
    }
    if (pos != targetLength) {
      throw new ChunkException(Code.INTERNAL, "caught up to " + pos + " of " + targetLength);
    }
    LOG.info("{} replica caught up chunk={} from={} to={} source={}", nodeId, handle,
        local.committedLength(), targetLength, source.getServerId());
    return engine.state(handle).orElseThrow();
  }
}
