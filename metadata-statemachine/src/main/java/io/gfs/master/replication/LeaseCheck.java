package io.gfs.master.replication;

import io.gfs.proto.ChunkInfo;
import java.time.Duration;
import java.time.Instant;

/** Whether a chunk's lease may still be in force, allowing for clock skew between masters. */
final class LeaseCheck {

  private LeaseCheck() {
  }

  static boolean mayHold(ChunkInfo chunk, Instant now, Duration margin) {
    return mayHold(chunk.getPrimary(), chunk.getLeaseExpiryMs(), now, margin);
  }

  static boolean mayHold(String primary, long leaseExpiryMs, Instant now, Duration margin) {
    return primary != null && !primary.isEmpty()
        && now.toEpochMilli() <= leaseExpiryMs + margin.toMillis();
  }
}
