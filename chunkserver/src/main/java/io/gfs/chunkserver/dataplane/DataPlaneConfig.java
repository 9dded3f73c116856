package io.gfs.chunkserver.dataplane;

import java.time.Duration;

/**
 * Limits of one data-plane server. Every field bounds a resource a client could otherwise grow.
 *
 * @param bindAddress host to listen on
 * @param port TCP port (0 picks a free one)
 * @param connectionsMax open connections beyond this are refused with TOO_MANY_CONNECTIONS
 * @param dataFrameBytesMax largest frame body accepted (a DATA frame's piece of a write)
 * @param readBytesMax largest READ length accepted
 * @param writeBytesMax largest WRITE/APPEND length accepted
 * @param inFlightPerConnectionMax unanswered requests per connection before reading pauses
 * @param idleTimeout a connection with nothing in flight that sends nothing this long is closed
 * @param requestTimeoutMax upper bound on any request's deadline (and the default one)
 * @param eventLoopThreads Netty I/O threads
 * @param operationThreads threads calling ChunkOperations (which may block on disk)
 * @param operationQueueMax queued ChunkOperations calls before requests are refused OVERLOADED
 */
public record DataPlaneConfig(
    String bindAddress,
    int port,
    int connectionsMax,
    int dataFrameBytesMax,
    long readBytesMax,
    long writeBytesMax,
    int inFlightPerConnectionMax,
    Duration idleTimeout,
    Duration requestTimeoutMax,
    int eventLoopThreads,
    int operationThreads,
    int operationQueueMax) {

  public static final int DEFAULT_PORT = 8080;
  /** The frame limit of every data-plane server (not configurable). */
  public static final int DATA_FRAME_BYTES = 1 << 20;

  public DataPlaneConfig {
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress is required");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
    }
    positive("connectionsMax", connectionsMax);
    positive("dataFrameBytesMax", dataFrameBytesMax);
    positive("readBytesMax", readBytesMax);
    positive("writeBytesMax", writeBytesMax);
    positive("inFlightPerConnectionMax", inFlightPerConnectionMax);
    positive("eventLoopThreads", eventLoopThreads);
    positive("operationThreads", operationThreads);
    positive("operationQueueMax", operationQueueMax);
    if (readBytesMax > Integer.MAX_VALUE - 2L * ChunkOperations.CHECKSUM_BLOCK_BYTES) {
      throw new IllegalArgumentException("readBytesMax too large: " + readBytesMax);
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
    }
    if (requestTimeoutMax == null || requestTimeoutMax.isNegative()
        || requestTimeoutMax.isZero()) {
      throw new IllegalArgumentException("requestTimeoutMax must be positive: "
          + requestTimeoutMax);
    }
  }

  /** Production defaults: 64 MiB chunks, 1 MiB data frames. */
  public static DataPlaneConfig defaults(String bindAddress, int port) {
    return new DataPlaneConfig(bindAddress, port, 1024, DATA_FRAME_BYTES, 64L << 20, 64L << 20,
        256, Duration.ofSeconds(60), Duration.ofSeconds(60), 2, 8, 1024);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
