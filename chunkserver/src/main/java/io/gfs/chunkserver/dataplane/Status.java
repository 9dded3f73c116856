package io.gfs.chunkserver.dataplane;

/** Status byte of an error reply (docs/protocol.md §Status codes). */
enum Status {
  OK(0),
  INVALID_ARGUMENT(1),
  NOT_FOUND(2),
  STALE_VERSION(3),
  NOT_PRIMARY(4),
  CHUNK_FULL(5),
  RECORD_TOO_LARGE(6),
  NO_SPACE(7),
  QUORUM_FAILED(8),
  CHECKSUM_MISMATCH(9),
  TIMEOUT(10),
  OVERLOADED(11),
  INTERNAL(12),
  // Protocol errors: the connection is closed right after the error frame.
  BAD_MAGIC(64),
  UNSUPPORTED_VERSION(65),
  FRAME_TOO_LARGE(66),
  UNKNOWN_OPERATION(67),
  MALFORMED(68),
  IDLE_TIMEOUT(69),
  TOO_MANY_CONNECTIONS(70),
  /**
   * The server is stopping. Every request it executed (or may have executed) on this connection
   * was answered before this frame; a request still unanswered was not executed.
   */
  GOING_AWAY(71);

  private final int wireCode;

  Status(int wireCode) {
    this.wireCode = wireCode;
  }

  int wireCode() {
    return wireCode;
  }

  /** The status a wire code stands for; INTERNAL for a code this version does not know. */
  static Status ofWire(int code) {
    for (Status s : values()) {
      if (s.wireCode == code) {
        return s;
      }
    }
    return INTERNAL;
  }

  /** What a failed request reports as a {@link ChunkException}. */
  ChunkException.Code chunkCode() {
    return switch (this) {
      case INVALID_ARGUMENT, MALFORMED, FRAME_TOO_LARGE -> ChunkException.Code.INVALID_ARGUMENT;
      case NOT_FOUND -> ChunkException.Code.NOT_FOUND;
      case STALE_VERSION -> ChunkException.Code.STALE_VERSION;
      case NOT_PRIMARY -> ChunkException.Code.NOT_PRIMARY;
      case CHUNK_FULL -> ChunkException.Code.CHUNK_FULL;
      case RECORD_TOO_LARGE -> ChunkException.Code.RECORD_TOO_LARGE;
      case NO_SPACE -> ChunkException.Code.NO_SPACE;
      case CHECKSUM_MISMATCH -> ChunkException.Code.CHECKSUM_MISMATCH;
      case TIMEOUT -> ChunkException.Code.TIMEOUT;
      case OVERLOADED, TOO_MANY_CONNECTIONS -> ChunkException.Code.OVERLOADED;
      case QUORUM_FAILED, GOING_AWAY, IDLE_TIMEOUT -> ChunkException.Code.QUORUM_FAILED;
      default -> ChunkException.Code.INTERNAL;
    };
  }

  static Status of(ChunkException.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT -> INVALID_ARGUMENT;
      case NOT_FOUND -> NOT_FOUND;
      case STALE_VERSION -> STALE_VERSION;
      case NOT_PRIMARY -> NOT_PRIMARY;
      case CHUNK_FULL -> CHUNK_FULL;
      case RECORD_TOO_LARGE -> RECORD_TOO_LARGE;
      case NO_SPACE -> NO_SPACE;
      case QUORUM_FAILED -> QUORUM_FAILED;
      case CHECKSUM_MISMATCH -> CHECKSUM_MISMATCH;
      case TIMEOUT -> TIMEOUT;
      case OVERLOADED -> OVERLOADED;
      case INTERNAL -> INTERNAL;
    };
  }
}
