package io.gfs.client.internal;

/** A data-plane failure, with what the caller should do about it. */
public final class ChunkIoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Failure kinds the file logic reacts to. */
  public enum Kind {
    /** The chunk cannot take this record: it was sealed; retry on the next chunk. */
    CHUNK_FULL,
    /** The server is not (or no longer) the primary, or the version moved: refresh and retry. */
    STALE,
    /** This replica lacks the chunk or the range. */
    NOT_FOUND,
    /** The bytes failed their checksum: use another replica and report this one. */
    CORRUPT,
    /** The request was refused as malformed or too large. */
    INVALID,
    /** The chunkserver is out of space. */
    NO_SPACE,
    /** Could not connect, or the connection failed before anything was sent. */
    UNREACHABLE,
    /** Sent, but no answer came: a mutation may or may not have happened. */
    UNKNOWN,
    /** Any other failure reported by the server (quorum lost, overloaded, internal). */
    FAILED
  }

  private final Kind kind;

  public ChunkIoException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
