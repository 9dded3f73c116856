package io.gfs.client;

/** Thrown when the target of a create, mkdir or rename exists already. */
public class GfsAlreadyExistsException extends GfsException {
  private static final long serialVersionUID = 1L;

  public GfsAlreadyExistsException(String message) {
    super(Code.ALREADY_EXISTS, message);
  }

  public GfsAlreadyExistsException(String message, Throwable cause) {
    super(Code.ALREADY_EXISTS, message, cause);
  }
}
