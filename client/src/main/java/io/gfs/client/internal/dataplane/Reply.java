package io.gfs.client.internal.dataplane;

import io.netty.buffer.ByteBuf;

/** A decoded server frame (docs/protocol.md §Replies). */
public sealed interface Reply {
  long requestId();

  /** Gives back the transport buffers the reply holds, if any (only READ data has some). */
  default void release() {
  }

  record Pong(long requestId) implements Reply {
  }

  /**
   * READ reply with its raw data, which is {@code chunkOffset}-based and whole-block aligned.
   * The data is a reference-counted transport buffer: whoever ends up with the reply releases it
   * exactly once (or hands that duty on).
   */
  record ReadData(long requestId, long chunkOffset, long committedLength, int[] blockCrc32c,
      ByteBuf data) implements Reply {
    @Override
    public void release() {
      data.release();
    }
  }

  record CommittedLength(long requestId, long committedLength) implements Reply {
  }

  record WriteDone(long requestId, boolean append, long offset, long committedLength)
      implements Reply {
  }

  /** An error reply; requestId 0 means the whole connection failed. */
  record Error(long requestId, DataPlaneStatus status, String message) implements Reply {
  }
}
