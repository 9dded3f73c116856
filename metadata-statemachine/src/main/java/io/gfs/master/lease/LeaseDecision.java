package io.gfs.master.lease;

import io.gfs.proto.GrantLeaseOp;

/** What to do about a chunk's lease. */
public sealed interface LeaseDecision {

  /** The recorded lease is valid and its holder live: use it as is. */
  record Keep() implements LeaseDecision {
  }

  /** Propose this grant (a new primary with a version bump, or an extension). */
  record Grant(GrantLeaseOp op) implements LeaseDecision {
  }

  /** No lease can be granted now; {@code reason} says why and for how long. */
  record Refuse(String reason, boolean retryLater) implements LeaseDecision {
  }
}
