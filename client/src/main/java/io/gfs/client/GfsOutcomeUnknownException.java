package io.gfs.client;

/**
 * Thrown when a mutation was sent but no answer came back before the deadline: it may or may not
 * have happened. Check the state (stat, read) before deciding to retry; a retried record append
 * may be applied twice (appends are at-least-once, as in GFS).
 */
public class GfsOutcomeUnknownException extends GfsException {
  private static final long serialVersionUID = 1L;

  public GfsOutcomeUnknownException(String message, Throwable cause) {
    super(Code.OUTCOME_UNKNOWN, message, cause);
  }
}
