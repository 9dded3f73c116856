package io.gfs.client.internal.dataplane;

import java.net.InetSocketAddress;
import java.util.UUID;

/**
 * Bytes from a chunkserver did not match their CRC32C: the replica (or the path to it) is corrupt.
 * The caller should read the range from another replica and report this one to the master.
 */
public final class ChecksumMismatchException extends DataPlaneException {
  private static final long serialVersionUID = 1L;

  private final transient InetSocketAddress server;
  private final UUID handle;
  private final long blockOffset;

  public ChecksumMismatchException(InetSocketAddress server, UUID handle, long blockOffset,
      int expectedCrc32c, int actualCrc32c) {
    super(DataPlaneStatus.CHECKSUM_MISMATCH, String.format(
        "server=%s chunk=%s block at offset %d: expected crc32c %08x, got %08x", server, handle,
        blockOffset, expectedCrc32c, actualCrc32c));
    this.server = server;
    this.handle = handle;
    this.blockOffset = blockOffset;
  }

  public InetSocketAddress server() {
    return server;
  }

  public UUID handle() {
    return handle;
  }

  /** Chunk offset of the first byte of the corrupt 64 KiB block. */
  public long blockOffset() {
    return blockOffset;
  }
}
