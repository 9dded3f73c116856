package io.gfs.client.internal.dataplane;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a write's DATA frames one after another, each once the previous one reached the socket,
 * so the client never queues more than one frame per write in memory. If the request ends early
 * (error reply, deadline) or the source misbehaves, the connection is closed: the server then
 * aborts the write session, and a half-sent stream can never be mistaken for the next request.
 * Runs on the connection's event loop once started.
 */
final class WriteStreamer {
  private final DataPlaneConnection connection;
  private final long requestId;
  private final WriteSource source;
  private final int frameBytes;
  private final CompletableFuture<Reply> reply;
  private final Runnable whenSent;
  private ByteBuffer piece; // the rest of the current piece, or null
  private long sentBytes; // invariant: sentBytes <= source.length()

  WriteStreamer(DataPlaneConnection connection, long requestId, WriteSource source,
      int frameBytes, CompletableFuture<Reply> reply, Runnable whenSent) {
    this.connection = connection;
    this.requestId = requestId;
    this.source = source;
    this.frameBytes = frameBytes;
    this.reply = reply;
    this.whenSent = whenSent;
  }

  void sendNext() {
    if (reply.isDone()) {
      if (sentBytes < source.length()) {
        connection.close();
      }
      whenSent.run();
      return;
    }
    if (sentBytes == source.length()) {
      whenSent.run();
      return;
    }
    try {
      while (piece == null || !piece.hasRemaining()) {
        piece = source.nextPiece();
        if (piece == null) {
          throw new IllegalStateException("write source ended after " + sentBytes + " of "
              + source.length() + " bytes");
        }
      }
      if (sentBytes + piece.remaining() > source.length()) {
        throw new IllegalStateException("write source has more than its declared "
            + source.length() + " bytes");
      }
    } catch (RuntimeException e) {
      abort(new DataPlaneException(DataPlaneStatus.INVALID_ARGUMENT, e.getMessage(), e));
      return;
    }
    ByteBuffer frame = piece.slice();
    if (frame.remaining() > frameBytes) {
      frame.limit(frameBytes);
    }
    piece.position(piece.position() + frame.remaining());
    sentBytes += frame.remaining();
    connection.channel()
        .writeAndFlush(RequestFrames.data(connection.channel().alloc(), requestId, frame))
        .addListener(f -> {
          if (f.isSuccess()) {
            sendNext();
          } else {
            abort(new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
                "sending write data failed", f.cause()));
          }
        });
  }

  private void abort(DataPlaneException e) {
    connection.fail(requestId, e);
    connection.close();
    whenSent.run();
  }
}
