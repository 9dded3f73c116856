package io.gfs.client.internal.dataplane;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a write's DATA frames one after another, each once the previous one reached the socket,
 * so the client never queues more than one frame per write in memory. If the request ends early
 * (error reply, deadline), the connection is closed: the server then aborts the write session,
 * and the half-sent stream can never be mistaken for the next request's frames.
 */
final class WriteStreamer {
  private final DataPlaneConnection connection;
  private final long requestId;
  private final ArrayDeque<ByteBuffer> pieces;
  private final int frameBytes;
  private final CompletableFuture<Reply> reply;
  private final Runnable whenSent;

  WriteStreamer(DataPlaneConnection connection, long requestId, List<ByteBuffer> pieces,
      int frameBytes, CompletableFuture<Reply> reply, Runnable whenSent) {
    this.connection = connection;
    this.requestId = requestId;
    this.pieces = new ArrayDeque<>();
    for (ByteBuffer piece : pieces) {
      if (piece.hasRemaining()) {
        this.pieces.add(piece.duplicate());
      }
    }
    this.frameBytes = frameBytes;
    this.reply = reply;
    this.whenSent = whenSent;
  }

  void sendNext() {
    if (reply.isDone()) {
      if (!pieces.isEmpty()) {
        connection.close();
      }
      whenSent.run();
      return;
    }
    ByteBuffer piece = pieces.peek();
    if (piece == null) {
      whenSent.run();
      return;
    }
    ByteBuffer frame = piece.slice();
    if (frame.remaining() > frameBytes) {
      frame.limit(frameBytes);
    }
    piece.position(piece.position() + frame.remaining());
    if (!piece.hasRemaining()) {
      pieces.poll();
    }
    connection.channel()
        .writeAndFlush(RequestFrames.data(connection.channel().alloc(), requestId, frame))
        .addListener(f -> {
          if (f.isSuccess()) {
            sendNext();
          } else {
            connection.fail(requestId, new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
                "sending write data failed", f.cause()));
            connection.close();
            whenSent.run();
          }
        });
  }
}
