package io.gfs.master.service;

import io.gfs.master.MasterException;
import io.grpc.Status;

/** This master is not the (ready) leader; names the leader when known. */
public final class NotLeaderException extends MasterException {
  private static final long serialVersionUID = 1L;

  private final String leaderId;
  private final String leaderApiAddress;

  public NotLeaderException(String nodeId, String leaderId, String leaderApiAddress) {
    super(Status.Code.UNAVAILABLE, "master " + nodeId + " is not the leader"
        + (leaderId.isEmpty() ? " (leader unknown)" : "; leader is " + leaderId + " at "
            + leaderApiAddress));
    this.leaderId = leaderId;
    this.leaderApiAddress = leaderApiAddress;
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
