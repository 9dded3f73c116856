package io.gfs.chunkserver.dataplane;

/** An expected failure of a chunk operation, with the code the data plane sends to the client. */
public final class ChunkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Failure codes; the data-plane protocol maps each to a status byte (docs/protocol.md). */
  public enum Code {
    INVALID_ARGUMENT,
    NOT_FOUND,
    STALE_VERSION,
    NOT_PRIMARY,
    CHUNK_FULL,
    RECORD_TOO_LARGE,
    NO_SPACE,
    QUORUM_FAILED,
    CHECKSUM_MISMATCH,
    TIMEOUT,
    OVERLOADED,
    INTERNAL
  }

  private final Code code;

  public ChunkException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public ChunkException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
