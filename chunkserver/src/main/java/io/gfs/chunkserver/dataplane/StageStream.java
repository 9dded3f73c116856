package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.WireFormat.*;

import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.proto.MutationHeader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One mutation streamed to one secondary over its data plane (a STAGE, see {@link PeerStages}):
 * the header frame, then the pieces as DATA frames, each the received buffer itself; the reply
 * is READY. Fails by itself at its deadline, when the connection closes, or on an error reply;
 * the connection is then closed, and reused only after a READY.
 *
 * <p>{@link #send} and {@link #writable} come from the primary session's serial chain; replies,
 * writability and the connection's end from the connection's event loop.
 */
public final class StageStream implements PeerStages.Listener {
  private final PeerStages owner;
  private final PeerStages.Peer peer;
  private final long requestId;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final ScheduledFuture<?> deadline;
  // Guarded by this.
  private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(); // frames before the connection
  private Channel channel;
  private CompletableFuture<Void> writable;
  private boolean ended;

  StageStream(PeerStages owner, PeerStages.Peer peer, long requestId, MutationHeader header,
      long deadlineMs) {
    this.owner = owner;
    this.peer = peer;
    this.requestId = requestId;
    pending.add(PeerStages.stageFrame(requestId, deadlineMs, header));
    this.deadline = owner.schedule(() -> fail(new ChunkException(Code.TIMEOUT,
        "replica " + peer + " not READY within " + deadlineMs + " ms")), deadlineMs);
    owner.acquire(peer).whenComplete(this::connected);
  }

  /** Completes when the replica says READY; exceptionally on any failure or the deadline. */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  private void connected(Channel ch, Throwable err) {
    if (err != null) {
      fail(new ChunkException(Code.QUORUM_FAILED, "replica " + peer + " unreachable: " + err));
      return;
    }
    boolean listening;
    synchronized (this) {
      if (ended) {
        ch.close();
        return;
      }
      listening = PeerStages.listen(ch, this);
      if (listening) {
        for (ByteBuf f : pending) {
          ch.write(f, ch.voidPromise());
        }
        pending.clear();
        ch.flush();
        channel = ch;
      }
    }
    if (!listening || !ch.isActive()) {
      ch.close();
      onClosed(); // closed before this stage listened: nobody else would notice
      return;
    }
    onWritable();
  }

  /** Sends the next piece; takes over the buffer (released once written, or at once if over). */
  public void send(ByteBuf piece) {
    List<ByteBuf> frames = new ArrayList<>();
    try {
      while (piece.isReadable()) {
        int n = Math.min(PeerStages.FRAME_BYTES, piece.readableBytes());
        frames.add(PeerStages.dataHeader(requestId, n));
        frames.add(piece.readRetainedSlice(n));
      }
    } finally {
      piece.release();
    }
    Channel ch;
    synchronized (this) {
      if (ended) {
        frames.forEach(ByteBuf::release);
        return;
      }
      if (channel == null) {
        pending.addAll(frames);
        return;
      }
      ch = channel;
    }
    for (ByteBuf f : frames) {
      ch.write(f, ch.voidPromise()); // a failed write releases the buffer and closes the channel
    }
    ch.flush();
  }

  /** Completes once the connection can take more, or the stage has ended (it no longer matters). */
  public synchronized CompletableFuture<Void> writable() {
    if (ended || (channel != null && channel.isWritable())) {
      return CompletableFuture.completedFuture(null);
    }
    if (writable == null || writable.isDone()) {
      writable = new CompletableFuture<>();
    }
    return writable;
  }

  /** Gives up on this replica for this mutation. */
  public void cancel(String reason) {
    fail(new ChunkException(Code.QUORUM_FAILED, "stage on replica " + peer + " cancelled: "
        + reason));
  }

  @Override
  public void onReply(int type, long id, Status status, String message, ByteBuf frame) {
    if (type == (REPLY_BIT | STAGE) && id == requestId) {
      ready.complete(null);
      end(true);
    } else if (type == ERROR) {
      if (status == Status.UNKNOWN_OPERATION) {
        owner.forget(peer);
      }
      fail(new ChunkException(status.chunkCode(), "replica " + peer + ": " + status + " "
          + message));
    } else {
      fail(new ChunkException(Code.INTERNAL, String.format("replica %s answered type 0x%02x"
          + " request %d to stage request %d", peer, type, id, requestId)));
    }
  }

  @Override
  public void onClosed() {
    fail(new ChunkException(Code.QUORUM_FAILED, "connection to replica " + peer + " closed"));
  }

  @Override
  public void onWritable() {
    CompletableFuture<Void> w;
    synchronized (this) {
      w = writable;
      if (w == null || !(ended || (channel != null && channel.isWritable()))) {
        return;
      }
    }
    w.complete(null);
  }

  private void fail(ChunkException e) {
    ready.completeExceptionally(e);
    end(false);
  }

  /** Ends the stage once; the connection goes back to the pool only after a READY. */
  private void end(boolean reuse) {
    Channel ch;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      ch = channel;
      pending.forEach(ByteBuf::release);
      pending.clear();
    }
    deadline.cancel(false);
    onWritable();
    if (ch != null) {
      if (reuse) {
        owner.release(peer, ch);
      } else {
        PeerStages.listen(ch, null);
        ch.close();
      }
    }
  }
}
