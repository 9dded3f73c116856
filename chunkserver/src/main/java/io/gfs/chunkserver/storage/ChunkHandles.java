package io.gfs.chunkserver.storage;

import io.gfs.chunkserver.dataplane.ChunkException;
import java.util.regex.Pattern;

/** Chunk handles are canonical lowercase UUIDs; only those ever become file names (LESSONS #12). */
public final class ChunkHandles {
  private static final Pattern CANONICAL =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private ChunkHandles() {}

  public static boolean isValid(String handle) {
    return handle != null && handle.length() == 36 && CANONICAL.matcher(handle).matches();
  }

  /** Returns the handle, or throws INVALID_ARGUMENT before it can reach the file system. */
  public static String require(String handle) {
    if (!isValid(handle)) {
      throw new ChunkException(
          ChunkException.Code.INVALID_ARGUMENT, "chunk handle is not a canonical UUID");
    }
    return handle;
  }
}
