package io.gfs.chunkserver.dataplane;

/** Field checks for WRITE and APPEND that the data plane makes before bothering the engine. */
final class WriteValidation {
  private WriteValidation() {
  }

  /** Returns why the request is invalid, or null. */
  static String check(Request.BeginWrite w, long writeBytesMax) {
    if (w.length() <= 0 || w.length() > writeBytesMax) {
      return "write length " + w.length() + " must be in [1, " + writeBytesMax + "]";
    }
    if (w.stage() != null) {
      return null; // the replica engine checks a stage's header
    }
    if (w.append() && w.offset() != -1) {
      return "APPEND must carry offset -1, got " + w.offset();
    }
    if (!w.append() && w.offset() < 0) {
      return "WRITE offset must be >= 0, got " + w.offset();
    }
    return null;
  }
}
