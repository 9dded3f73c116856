package io.gfs.master.chunks;

import io.gfs.master.MasterException;
import io.gfs.master.namespace.FsPaths;

/**
 * Chunk handles are UUIDs in canonical lowercase form (8-4-4-4-12 hex digits). Chunkservers use
 * them as file names, so anything else is rejected before it can reach a path (LESSONS #12).
 */
public final class ChunkHandles {
  private static final int LENGTH = 36;

  private ChunkHandles() {
  }

  public static boolean isValid(String handle) {
    if (handle == null || handle.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = handle.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** Returns the handle, or throws INVALID_ARGUMENT naming the problem. */
  public static String validate(String handle) {
    if (handle == null || handle.isEmpty()) {
      throw MasterException.invalidArgument("chunk handle is empty");
    }
    if (!isValid(handle)) {
      throw MasterException.invalidArgument(
          "chunk handle is not a canonical lowercase UUID: " + FsPaths.quote(handle));
    }
    return handle;
  }
}
