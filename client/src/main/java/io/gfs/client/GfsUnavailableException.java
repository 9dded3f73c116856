package io.gfs.client;

/** Thrown when no master leader (or no replica) could be reached within the deadline; the operation did not happen. */
public class GfsUnavailableException extends GfsException {
  private static final long serialVersionUID = 1L;

  public GfsUnavailableException(String message) {
    super(Code.UNAVAILABLE, message);
  }

  public GfsUnavailableException(String message, Throwable cause) {
    super(Code.UNAVAILABLE, message, cause);
  }
}
