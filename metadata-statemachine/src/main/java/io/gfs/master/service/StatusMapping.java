package io.gfs.master.service;

import io.gfs.master.MasterException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** The one place where master failures become gRPC statuses. */
public final class StatusMapping {
  private static final Logger LOG = LogManager.getLogger(StatusMapping.class);

  /** Trailer with the leader's API address (host:port). */
  public static final Metadata.Key<String> LEADER_KEY =
      Metadata.Key.of("gfs-leader", Metadata.ASCII_STRING_MARSHALLER);
  /** Trailer with the leader's Raft peer id. */
  public static final Metadata.Key<String> LEADER_ID_KEY =
      Metadata.Key.of("gfs-leader-id", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Trailer (the refusing master's id) on a "not the leader" answer given before the command was
   * proposed to Raft: the caller knows it did not happen, even when no leader is known.
   */
  public static final Metadata.Key<String> NOT_PROPOSED_KEY =
      Metadata.Key.of("gfs-not-proposed", Metadata.ASCII_STRING_MARSHALLER);

  private StatusMapping() {
  }

  public static StatusRuntimeException toStatus(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (t instanceof NotLeaderException nle) {
      Metadata trailers = new Metadata();
      if (!nle.leaderApiAddress().isEmpty()) {
        trailers.put(LEADER_KEY, nle.leaderApiAddress());
      }
      if (!nle.leaderId().isEmpty()) {
        trailers.put(LEADER_ID_KEY, nle.leaderId());
      }
      if (!nle.proposed()) {
        trailers.put(NOT_PROPOSED_KEY, "true");
      }
      return Status.UNAVAILABLE.withDescription(nle.getMessage()).asRuntimeException(trailers);
    }
    if (t instanceof MasterException me) {
      return Status.fromCode(me.code()).withDescription(me.getMessage()).asRuntimeException();
    }
    LOG.warn("unexpected failure mapped to INTERNAL", t);
    return Status.INTERNAL.withDescription("internal error: " + t).asRuntimeException();
  }

  /** A state result code (gRPC code number) as an exception; null for OK. */
  public static MasterException fromResult(int code, String message) {
    if (code == 0) {
      return null;
    }
    return new MasterException(Status.fromCodeValue(code).getCode(), message);
  }

  static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }
}
