package io.gfs.client.internal.dataplane;

/**
 * A data-plane call failed; {@link #status()} says how, so the SDK can retry, fail over or stop.
 */
public class DataPlaneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final DataPlaneStatus status;

  public DataPlaneException(DataPlaneStatus status, String message) {
    super(status + ": " + message);
    this.status = status;
  }

  public DataPlaneException(DataPlaneStatus status, String message, Throwable cause) {
    super(status + ": " + message, cause);
    this.status = status;
  }

  public DataPlaneStatus status() {
    return status;
  }
}
