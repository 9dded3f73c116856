package io.gfs.client.internal.dataplane;

import java.util.UUID;

/** Chunk handles are UUIDs; as strings only the canonical lower-case form is accepted. */
public final class ChunkHandles {
  private ChunkHandles() {
  }

  /** Parses a canonical handle string; anything else is an IllegalArgumentException. */
  public static UUID parse(String handle) {
    UUID uuid;
    try {
      uuid = UUID.fromString(handle);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a chunk handle: " + handle, e);
    }
    if (!uuid.toString().equals(handle)) {
      throw new IllegalArgumentException("chunk handle not in canonical form: " + handle);
    }
    return uuid;
  }
}
