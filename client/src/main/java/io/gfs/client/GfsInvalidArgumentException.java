package io.gfs.client;

/** Thrown when a path, namespace, offset or size is malformed; the message names the problem. */
public class GfsInvalidArgumentException extends GfsException {
  private static final long serialVersionUID = 1L;

  public GfsInvalidArgumentException(String message) {
    super(Code.INVALID_ARGUMENT, message);
  }

  public GfsInvalidArgumentException(String message, Throwable cause) {
    super(Code.INVALID_ARGUMENT, message, cause);
  }
}
