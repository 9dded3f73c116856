package io.gfs.master.service;

import io.gfs.master.MasterException;
import io.grpc.Status;

/** This master is not the (ready) leader; names the leader when known. */
public final class NotLeaderException extends MasterException {
  private static final long serialVersionUID = 1L;

  private final String leaderId;
  private final String leaderApiAddress;
  private final boolean proposed;

  /** A refusal before anything was proposed to Raft: the command surely did not happen. */
  public NotLeaderException(String nodeId, String leaderId, String leaderApiAddress) {
    this(nodeId, leaderId, leaderApiAddress, false);
  }

  /**
   * @param proposed the command was submitted to Raft before leadership was lost: it may be in
   *     the log and commit under the next leader, so the outcome is unknown to the caller
   */
  public NotLeaderException(String nodeId, String leaderId, String leaderApiAddress,
      boolean proposed) {
    super(Status.Code.UNAVAILABLE, "master " + nodeId + " is not the leader"
        + (leaderId.isEmpty() ? " (leader unknown)" : "; leader is " + leaderId + " at "
            + leaderApiAddress));
    this.leaderId = leaderId;
    this.leaderApiAddress = leaderApiAddress;
    this.proposed = proposed;
  }

  /** Whether the command may already be in the Raft log (see the constructor). */
  public boolean proposed() {
    return proposed;
  }

  /** Empty when unknown. */
  public String leaderId() {
    return leaderId;
  }

  /** host:port of the leader's API, empty when unknown. */
  public String leaderApiAddress() {
    return leaderApiAddress;
  }
}
