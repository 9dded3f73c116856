package io.gfs.chunkserver.server;

import io.gfs.chunkserver.primary.PrimarySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a chunkserver process is configured with; immutable, validated once. Ports may be 0
 * (ephemeral, in tests); the bound ports are what is advertised. {@code directWrites}: large
 * WRITEs bypass the page cache where the file system allows; {@code directReads}: so do large
 * reads of data the page cache does not hold (ChunkStore).
 */
public record ChunkserverConfig(
    String id,
    Path dataDir,
    String bindAddress,
    String advertisedHost,
    int dataPort,
    int replicationPort,
    int adminPort,
    List<String> masters,
    Duration heartbeatInterval,
    long defaultChunkSizeBytes,
    int ioThreads,
    boolean directWrites,
    boolean directReads,
    PrimarySettings primary,
    String buildInfo) {

  public static final int DEFAULT_DATA_PORT = 8080;
  public static final int DEFAULT_REPLICATION_PORT = 8081;
  public static final int DEFAULT_ADMIN_PORT = 8082;
  public static final long DEFAULT_CHUNK_SIZE_BYTES = 64L << 20;

  public ChunkserverConfig {
    if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("id must be 1-64 characters of [A-Za-z0-9._-]: " + id);
    }
    if (dataDir == null) {
      throw new IllegalArgumentException("a data directory is required");
    }
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("a bind address is required");
    }
    if (advertisedHost == null || advertisedHost.isBlank()) {
      throw new IllegalArgumentException("an advertised host is required");
    }
    for (int port : new int[] {dataPort, replicationPort, adminPort}) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }
    masters = List.copyOf(masters);
    if (masters.isEmpty()) {
      throw new IllegalArgumentException("at least one master address (host:port) is required");
    }
    for (String m : masters) {
      int colon = m.lastIndexOf(':');
      if (colon <= 0 || !m.substring(colon + 1).matches("\\d{1,5}")) {
        throw new IllegalArgumentException("master address is not host:port: " + m);
      }
    }
    if (heartbeatInterval == null || heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
      throw new IllegalArgumentException("heartbeat interval must be positive");
    }
    if (defaultChunkSizeBytes < 4 || defaultChunkSizeBytes % 4 != 0) {
      throw new IllegalArgumentException("chunk size must be a positive multiple of 4 bytes");
    }
    if (ioThreads < 1 || ioThreads > 256) {
      throw new IllegalArgumentException("io threads must be in 1..256");
    }
    if (primary == null) {
      throw new IllegalArgumentException("primary settings are required");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
    buildInfo = buildInfo == null ? "" : buildInfo;
  }

  /** A configuration with every default, for tests and the embedded launcher. */
  public static ChunkserverConfig defaults(String id, Path dataDir, List<String> masters) {
    return new ChunkserverConfig(id, dataDir, "0.0.0.0", "localhost", DEFAULT_DATA_PORT,
        DEFAULT_REPLICATION_PORT, DEFAULT_ADMIN_PORT, masters, Duration.ofSeconds(1),
        DEFAULT_CHUNK_SIZE_BYTES, 8, true, true, PrimarySettings.defaults(), "");
  }
}
