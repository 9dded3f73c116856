package io.gfs.chunkserver.dataplane;

import io.gfs.proto.MutationHeader;
import io.netty.buffer.ByteBuf;
import java.util.UUID;

/** A decoded client frame (docs/protocol.md §Requests). */
sealed interface Request {
  long requestId();

  record Ping(long requestId) implements Request {
  }

  record Read(long requestId, UUID handle, long version, long offset, long length, long timeoutMs)
      implements Request {
  }

  record CommittedLength(long requestId, UUID handle, long version, long timeoutMs)
      implements Request {
  }

  /**
   * WRITE (append = false, offset ≥ 0) or APPEND (append = true, offset = -1) from a client; or a
   * STAGE from a primary ({@code stage} set, offset -1), whose bytes a secondary only stages.
   */
  record BeginWrite(
      long requestId,
      boolean append,
      UUID handle,
      long version,
      long offset,
      long length,
      int crc32c,
      long timeoutMs,
      MutationHeader stage)
      implements Request {

    BeginWrite(long requestId, boolean append, UUID handle, long version, long offset,
        long length, int crc32c, long timeoutMs) {
      this(requestId, append, handle, version, offset, length, crc32c, timeoutMs, null);
    }

    /** A primary's STAGE of a mutation on this secondary (not a client's write). */
    static BeginWrite stage(long requestId, UUID handle, MutationHeader stage, long timeoutMs) {
      return new BeginWrite(requestId, false, handle, stage.getVersion(), -1, stage.getLength(),
          stage.getCrc32C(), timeoutMs, stage);
    }

    /** A STAGE without a mutation: only asks whether this server takes stages. */
    boolean isStageProbe() {
      return stage != null && stage.getLength() == 0 && stage.getHandle().isEmpty();
    }

    /** The type of this request's success reply. */
    int replyType() {
      return stage != null ? WireFormat.STAGE : append ? WireFormat.APPEND : WireFormat.WRITE;
    }
  }

  /** A primary's COMMIT of a mutation staged on this secondary (ordered: it has a sequence). */
  record Commit(long requestId, MutationHeader mutation, long timeoutMs) implements Request {
  }

  /** One piece of a write's data; whoever receives it owns (and must release) the buffer. */
  record Data(long requestId, ByteBuf bytes) implements Request {
  }

  /** The byte stream broke the framing rules: answer with this error, then close. */
  record Violation(long requestId, Status status, String message) implements Request {
  }
}
