package io.gfs.client.internal;

import io.gfs.client.GfsUnavailableException;

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
}
