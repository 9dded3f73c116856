package io.gfs.chunkserver.dataplane;

/**
 * The server's view of one WRITE/APPEND on a connection: how many declared bytes are still to
 * arrive, and whether the session is still worth feeding. Guarded by the channel's event loop.
 */
final class WriteInProgress {
  final Request.BeginWrite request;
  long remainingBytes; // invariant: 0 ≤ remainingBytes ≤ request.length()
  ChunkOperations.WriteSession session; // null until beginWrite returns
  /** The request was answered with an error (or its deadline passed): discard the rest. */
  boolean failed;
  /**
   * finish() was called: once the engine has also taken the last piece the outcome is the
   * engine's, so no more abort(); while it still holds that piece, a deadline or a disconnect
   * still aborts (finish is called right behind the last piece, see ConnectionHandler.onData).
   */
  boolean finishing;
  /**
   * The connection is blocked until beginWrite or onData answers for this write. Cleared when
   * the answer comes or when the write is abandoned; an answer arriving after that is stale.
   */
  boolean awaitingEngine;
  /**
   * An error to answer once all the declared bytes were read (a refused write): answering
   * earlier would make the client close the connection mid-stream, and with it every other
   * request on it.
   */
  String refusalAfterData;

  WriteInProgress(Request.BeginWrite request, long remainingBytes) {
    this.request = request;
    this.remainingBytes = remainingBytes;
  }

  long requestId() {
    return request.requestId();
  }

  /**
   * Marks the write failed and, when a session exists whose outcome is not yet the engine's,
   * aborts it.
   */
  void abandon(String reason) {
    if (failed || (finishing && !awaitingEngine)) {
      return;
    }
    failed = true;
    if (session != null) {
      session.abort(reason);
    }
  }
}
