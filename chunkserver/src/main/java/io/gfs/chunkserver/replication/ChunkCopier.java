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

  /** Replaces any local replica with a copy of the source's committed bytes at {@code version}. */
  public void copy(String handle, long version, ChunkLocation source) {
    if (source.getServerId().equals(nodeId)) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "refusing to copy chunk " + handle
          + " from this server itself");
    }
    ChunkStore store = engine.store();
    engine.delete(handle);
    store.createIfAbsent(handle, version);
    long pos = 0;
    long seq = 0;
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
        seq = piece.getCommittedSequence();
        sourceLength = piece.getCommittedLength();
        store.appendCommitted(handle, pos, piece.getData().asReadOnlyByteBuffer(), seq);
        pos += piece.getData().size();
      }
    } catch (RuntimeException e) {
      engine.delete(handle); // never keep a partial copy that could be reported as a replica
      throw ChunkErrors.fromThrowable(e);
    }
    if (pos != sourceLength) {
      engine.delete(handle);
      throw new ChunkException(Code.INTERNAL, "copied " + pos + " of " + sourceLength);
    }
    LOG.info("{} chunk copied chunk={} version={} length={} source={}", nodeId, handle, version,
        pos, source.getServerId());
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
