package io.gfs.client;

/**
 * The base of the SDK's exceptions: an expected failure with a {@link Code}. Subclasses exist only
 * where a caller acts differently: {@link GfsNotFoundException}, {@link GfsAlreadyExistsException},
 * {@link GfsInvalidArgumentException}, {@link GfsUnavailableException} and
 * {@link GfsOutcomeUnknownException}.
 */
public class GfsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, in the vocabulary of gRPC status codes. */
  public enum Code {
    NOT_FOUND,
    ALREADY_EXISTS,
    INVALID_ARGUMENT,
    FAILED_PRECONDITION,
    UNAVAILABLE,
    OUTCOME_UNKNOWN,
    RESOURCE_EXHAUSTED,
    ABORTED,
    DATA_LOSS,
    INTERNAL
  }

  private final Code code;

  public GfsException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public GfsException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
