package io.gfs.client.internal;

import io.gfs.client.GfsUnavailableException;
import io.gfs.proto.ChunkInfo;

/**
 * The master named no replica for a chunk a read needs. Right after a master failover or restart
 * the new leader learns locations only from chunkservers' reports, so this is usually transient:
 * {@link ChunkReads} asks again until its deadline before giving up with this exception.
 */
final class NoReplicasKnownException extends GfsUnavailableException {
  private static final long serialVersionUID = 1L;

  NoReplicasKnownException(String message) {
    super(message);
  }

  /** For a chunk whose committed length must be asked of a replica. */
  static NoReplicasKnownException lengthOf(ChunkInfo chunk) {
    return new NoReplicasKnownException("the master knows no replica of chunk "
        + chunk.getIndex() + " (" + chunk.getHandle() + ") yet; its length is unknown");
  }
}
