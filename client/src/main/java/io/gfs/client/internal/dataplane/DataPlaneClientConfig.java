package io.gfs.client.internal.dataplane;

import java.time.Duration;

/**
 * Limits of the data-plane client.
 *
 * @param connectionsPerServerMax persistent connections kept per chunkserver
 * @param waitersPerServerMax calls queued for a connection before new calls fail OVERLOADED
 * @param dataFrameBytes size of the DATA frames a write is cut into (the server's limit or less)
 * @param readBytesMax largest read length one call may ask for
 * @param connectTimeout TCP connect timeout
 * @param idleTimeout an unused pooled connection is closed after this (keep it below the server's)
 * @param eventLoopThreads Netty I/O threads
 */
public record DataPlaneClientConfig(
    int connectionsPerServerMax,
    int waitersPerServerMax,
    int dataFrameBytes,
    int readBytesMax,
    Duration connectTimeout,
    Duration idleTimeout,
    int eventLoopThreads) {

  public DataPlaneClientConfig {
    positive("connectionsPerServerMax", connectionsPerServerMax);
    positive("waitersPerServerMax", waitersPerServerMax);
    positive("dataFrameBytes", dataFrameBytes);
    positive("readBytesMax", readBytesMax);
    positive("eventLoopThreads", eventLoopThreads);
    if (readBytesMax > Integer.MAX_VALUE - 2 * WireFormat.BLOCK_BYTES) {
      throw new IllegalArgumentException("readBytesMax too large: " + readBytesMax);
    }
    if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
    }
  }

  /** Defaults matching the server's: 1 MiB frames, 64 MiB reads, 30 s idle (server: 60 s). */
  public static DataPlaneClientConfig defaults() {
    return new DataPlaneClientConfig(4, 1024, 1 << 20, 64 << 20, Duration.ofSeconds(5),
        Duration.ofSeconds(30), 2);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
