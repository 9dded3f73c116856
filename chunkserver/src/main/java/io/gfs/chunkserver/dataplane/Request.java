package io.gfs.chunkserver.dataplane;

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

  /** WRITE (append = false, offset ≥ 0) or APPEND (append = true, offset = -1). */
  record BeginWrite(
      long requestId,
      boolean append,
      UUID handle,
      long version,
      long offset,
      long length,
      int crc32c,
      long timeoutMs)
      implements Request {
  }

  /** One piece of a write's data; whoever receives it owns (and must release) the buffer. */
  record Data(long requestId, ByteBuf bytes) implements Request {
  }

  /** The byte stream broke the framing rules: answer with this error, then close. */
  record Violation(long requestId, Status status, String message) implements Request {
  }
}
