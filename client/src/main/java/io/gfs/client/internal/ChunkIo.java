package io.gfs.client.internal;

import io.gfs.client.internal.dataplane.ReadBuffers;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The SDK's view of the data plane: byte-range reads, writes and record appends on one replica.
 * Implemented over the binary TCP protocol (docs/protocol.md); kept as an interface so the file
 * logic (chunk mapping, failover, retries) does not depend on framing.
 */
public interface ChunkIo extends AutoCloseable {

  /**
   * Reads up to {@code length} bytes at {@code offset}, checksum-verified, never past the
   * replica's committed length. Fails with {@link ChunkIoException}.
   */
  CompletableFuture<ReadResult> read(
      HostPorts.HostPort replica, UUID handle, long version, long offset, int length);

  /**
   * Like {@link #read}, but the verified bytes stay in the transport's buffers until the caller
   * copies them out: the caller must close the result, consumed or not.
   */
  default CompletableFuture<ReadBuffers> readBuffers(
      HostPorts.HostPort replica, UUID handle, long version, long offset, int length) {
    return read(replica, handle, version, offset, length)
        .thenApply(r -> ReadBuffers.wrap(r.data(), r.committedLength()));
  }

  /**
   * Writes {@code data} at {@code offset} (which must be the chunk's committed length), or appends
   * it as one record when {@code offset} is -1. Sent to the primary, which replicates it.
   */
  CompletableFuture<WriteResult> write(
      HostPorts.HostPort primary, UUID handle, long version, long offset, ByteBuffer data);

  /** The committed length of a replica's copy. */
  CompletableFuture<Long> committedLength(HostPorts.HostPort replica, UUID handle, long version);

  @Override
  void close();

  /** Verified bytes and the replica's committed length at the time of the read. */
  record ReadResult(ByteBuffer data, long committedLength) {
  }

  /** Where a committed write landed and the chunk's committed length after it. */
  record WriteResult(long offset, long committedLength) {
  }
}
