package io.gfs.master.replication;

import java.time.Instant;

/**
 * A copy the leader asked for: {@code target} copies chunk {@code handle} at {@code version} from
 * {@code source}. {@code leaseExpiryMs} is the chunk's recorded lease expiry when it was planned:
 * if it changed by the time the copy shows up, a lease was granted meanwhile and the copy may
 * lack commits.
 */
public record InFlightCopy(String handle, long version, String source, String target,
    long leaseExpiryMs, Instant deadline) {
}
