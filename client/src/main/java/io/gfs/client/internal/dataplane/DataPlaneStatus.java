package io.gfs.client.internal.dataplane;

/**
 * Outcome codes of data-plane calls: every status the chunkserver can send (docs/protocol.md
 * §Status codes), plus {@link #UNAVAILABLE}, which the client raises itself when it cannot reach
 * the chunkserver or loses the connection.
 */
public enum DataPlaneStatus {
  OK(0),
  INVALID_ARGUMENT(1),
  NOT_FOUND(2),
  STALE_VERSION(3),
  NOT_PRIMARY(4),
  /** Record append did not fit: the chunk is sealed, retry on the next chunk. */
  CHUNK_FULL(5),
  RECORD_TOO_LARGE(6),
  NO_SPACE(7),
  QUORUM_FAILED(8),
  CHECKSUM_MISMATCH(9),
  /** The deadline passed; for a write the outcome is unknown. */
  TIMEOUT(10),
  OVERLOADED(11),
  INTERNAL(12),
  BAD_MAGIC(64),
  UNSUPPORTED_VERSION(65),
  FRAME_TOO_LARGE(66),
  UNKNOWN_OPERATION(67),
  MALFORMED(68),
  IDLE_TIMEOUT(69),
  TOO_MANY_CONNECTIONS(70),
  /**
   * The chunkserver is stopping and closed the connection; a request that got this status was
   * not executed there (the server answers every request it executed before saying so).
   */
  GOING_AWAY(71),
  /** Client-side only: connecting failed or the connection was lost. Never on the wire. */
  UNAVAILABLE(-1);

  private final int wireCode;

  DataPlaneStatus(int wireCode) {
    this.wireCode = wireCode;
  }

  public int wireCode() {
    return wireCode;
  }

  /** The status for a wire code, or null when this client does not know the code. */
  static DataPlaneStatus fromWire(int code) {
    for (DataPlaneStatus s : values()) {
      if (s.wireCode == code && s != UNAVAILABLE) {
        return s;
      }
    }
    return null;
  }
}
