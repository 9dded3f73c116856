package io.gfs.master.replication;

import io.gfs.proto.ChunkInfo;
import java.time.Duration;
import java.time.Instant;

/** Whether a chunk's lease may still be in force, allowing for clock skew between masters. */
final class LeaseCheck {

  private LeaseCheck() {
  }

  static boolean mayHold(ChunkInfo chunk, Instant now, Duration margin) {
    return !chunk.getPrimary().isEmpty()
        && now.toEpochMilli() <= chunk.getLeaseExpiryMs() + margin.toMillis();
  }
}
