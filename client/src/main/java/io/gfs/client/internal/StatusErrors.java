package io.gfs.client.internal;

import io.gfs.client.GfsAlreadyExistsException;
import io.gfs.client.GfsException;
import io.gfs.client.GfsInvalidArgumentException;
import io.gfs.client.GfsNotFoundException;
import io.gfs.client.GfsUnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The one place where gRPC statuses become SDK exceptions. */
final class StatusErrors {
  private StatusErrors() {
  }

  static String describe(StatusRuntimeException e) {
    Status s = e.getStatus();
    return s.getDescription() == null ? s.getCode().toString()
        : s.getCode() + ": " + s.getDescription();
  }

  static GfsException toGfs(StatusRuntimeException e, String operation) {
    Status s = e.getStatus();
    String message = s.getDescription() == null ? operation + " failed: " + s.getCode()
        : s.getDescription();
    return switch (s.getCode()) {
      case NOT_FOUND -> new GfsNotFoundException(message, e);
      case ALREADY_EXISTS -> new GfsAlreadyExistsException(message, e);
      case INVALID_ARGUMENT, OUT_OF_RANGE -> new GfsInvalidArgumentException(message, e);
      case UNAVAILABLE, DEADLINE_EXCEEDED -> new GfsUnavailableException(
          operation + ": " + describe(e), e);
      case FAILED_PRECONDITION -> new GfsException(GfsException.Code.FAILED_PRECONDITION, message, e);
      case RESOURCE_EXHAUSTED -> new GfsException(GfsException.Code.RESOURCE_EXHAUSTED, message, e);
      case ABORTED -> new GfsException(GfsException.Code.ABORTED, message, e);
      case DATA_LOSS -> new GfsException(GfsException.Code.DATA_LOSS, message, e);
      default -> new GfsException(GfsException.Code.INTERNAL, operation + ": " + describe(e), e);
    };
  }
}
