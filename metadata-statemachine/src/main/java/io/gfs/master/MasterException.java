package io.gfs.master;

import io.grpc.Status;

/**
 * An expected failure of a master operation. The services map it to a gRPC status in one place;
 * the message names the problem and is shown to the user as is.
 */
public class MasterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;

  public MasterException(Status.Code code, String message) {
    super(message);
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }

  public static MasterException invalidArgument(String message) {
    return new MasterException(Status.Code.INVALID_ARGUMENT, message);
  }

  public static MasterException notFound(String message) {
    return new MasterException(Status.Code.NOT_FOUND, message);
  }
}
