package io.gfs.client;

/** Thrown when a file, directory, namespace or chunk does not exist. */
public class GfsNotFoundException extends GfsException {
  private static final long serialVersionUID = 1L;

  public GfsNotFoundException(String message) {
    super(Code.NOT_FOUND, message);
  }

  public GfsNotFoundException(String message, Throwable cause) {
    super(Code.NOT_FOUND, message, cause);
  }
}
