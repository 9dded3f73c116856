package io.gfs.client.internal;

import java.time.Duration;

/** Creates the data-plane transport over the binary TCP protocol (docs/protocol.md). */
public final class DefaultChunkIo {
  private DefaultChunkIo() {
  }

  public static ChunkIo create(Duration timeout) {
    throw new UnsupportedOperationException("the data-plane client is wired in with the data plane");
  }
}
