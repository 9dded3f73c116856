package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.WireFormat.*;

import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.proto.CommitResponse;
import io.gfs.proto.MutationHeader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;

/**
 * One mutation streamed to one secondary over its data plane (a STAGE, see {@link PeerStages}):
 * the header frame, then the pieces as DATA frames, each the received buffer itself; the reply
 * is READY. Fails by itself at its deadline, when the connection closes, or on an error reply;
 * the connection is then closed, and reused only after a READY.
 *
 * <p>A stream opened with {@code commitFollows} (the peer takes a COMMIT before READY) keeps its
 * connection after READY for the mutation's COMMIT ({@link #commit}), sent right behind the data
 * without waiting for READY: the secondary applies it once the stage is complete, which spares
 * the write a round trip between the replicas. It ends once both are answered; the primary
 * cancels it if it never commits.
 *
 * <p>{@link #send}, {@link #writable} and {@link #commit} come from the primary session's serial
 * chain; replies, writability and the connection's end from the connection's event loop.
 */
public final class StageStream implements PeerStages.Listener {
  private final PeerStages owner;
  private final PeerStages.Peer peer;
  private final long requestId;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final boolean commitFollows;
  // Guarded by this.
  private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(); // frames before the connection
  private ScheduledFuture<?> deadline;
  private Channel channel;
  private CompletableFuture<Void> writable;
  private boolean ended;
  private long commitId; // 0 until the COMMIT is sent
  private CompletableFuture<CommitResponse> committed; // null until then

  StageStream(PeerStages owner, PeerStages.Peer peer, long requestId, MutationHeader header,
      long deadlineMs, boolean commitFollows) {
    this.owner = owner;
    this.peer = peer;
    this.requestId = requestId;
    this.commitFollows = commitFollows;
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
    writeInOrder(ch, frames);
  }

  /**
   * Writes frames after every frame this stream wrote before, from whichever thread: always as a
   * task on the connection's loop. Netty writes at once when called on the loop but queues a
   * task when called from another thread, so a piece sent from the loop could otherwise overtake
   * one queued just before from an I/O thread, or a COMMIT its stage's last DATA (the secondary
   * would see a broken stage). On the loop this costs no wake-up, only a turn of its queue.
   */
  private static void writeInOrder(Channel ch, List<ByteBuf> frames) {
    try {
      ch.eventLoop().execute(() -> {
        for (ByteBuf f : frames) {
          ch.write(f, ch.voidPromise()); // a failed write releases the buffer, closes the channel
        }
        ch.flush();
      });
    } catch (RejectedExecutionException e) { // the loop is shutting down: so is the connection
      frames.forEach(ByteBuf::release);
      ch.close();
    }
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

  /**
   * Sends the ordered mutation's COMMIT right behind the data (only on a stream opened with
   * {@code commitFollows}, after the last {@link #send}); completes with the replica's answer.
   * Exceptionally: with the replica's error (then it did not apply it); NOT_FOUND when the
   * stage had already failed, so the COMMIT was never sent; or, once it may have been received
   * and no answer came (deadline, closed connection), a code that leaves the outcome unknown.
   */
  public CompletableFuture<CommitResponse> commit(MutationHeader ordered, long deadlineMs) {
    if (!commitFollows) {
      throw new IllegalStateException("stage opened without a commit to follow");
    }
    CompletableFuture<CommitResponse> out = new CompletableFuture<>();
    Channel ch;
    ByteBuf frame;
    synchronized (this) {
      if (ended || committed != null) {
        out.completeExceptionally(new ChunkException(Code.NOT_FOUND, "stage on replica " + peer
            + " ended before its COMMIT was sent: " + failureOf(ready)));
        return out;
      }
      commitId = owner.nextRequestId();
      committed = out;
      frame = PeerStages.mutationFrame(COMMIT, commitId, deadlineMs, ordered);
      deadline.cancel(false);
      deadline = owner.schedule(() -> fail(new ChunkException(Code.TIMEOUT, "no answer to COMMIT"
          + " from replica " + peer + " within " + deadlineMs + " ms")), deadlineMs);
      ch = channel;
      if (ch == null) {
        pending.add(frame);
        return out;
      }
    }
    writeInOrder(ch, List.of(frame));
    return out;
  }

  private static String failureOf(CompletableFuture<Void> f) {
    return f.isCompletedExceptionally() ? String.valueOf(f.handle((v, e) -> e).join()) : "";
  }

  /** Gives up on this replica for this mutation. */
  public void cancel(String reason) {
    fail(new ChunkException(Code.QUORUM_FAILED, "stage on replica " + peer + " cancelled: "
        + reason));
  }

  @Override
  public void onReply(int type, long id, Status status, String message, ByteBuf frame) {
    CompletableFuture<CommitResponse> c;
    long cid;
    synchronized (this) {
      c = committed;
      cid = commitId;
    }
    if (type == (REPLY_BIT | STAGE) && id == requestId) {
      ready.complete(null);
      if (!commitFollows || (c != null && c.isDone())) {
        end(true);
      }
    } else if (type == (REPLY_BIT | COMMIT) && c != null && id == cid
        && frame.readableBytes() >= HEADER_BYTES + 16) {
      c.complete(PeerStages.committedFrom(frame));
      if (ready.isDone()) {
        end(!ready.isCompletedExceptionally());
      }
    } else if (type == ERROR && c != null && !c.isDone() && (id == requestId || id == cid)) {
      // the replica's own answer: authoritative for what it names
      ChunkException e = new ChunkException(status.chunkCode(), "replica " + peer + ": " + status
          + " " + message);
      if (id == cid) {
        c.completeExceptionally(e);
        fail(e);
      } else {
        ready.completeExceptionally(e); // its answer to the COMMIT, already sent, comes next
      }
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
    end(false); // first: from here on a commit() finds the stream ended and sends nothing
    ready.completeExceptionally(e);
    CompletableFuture<CommitResponse> c;
    boolean written;
    synchronized (this) {
      c = committed;
      written = channel != null; // queued frames go out when (and only if) it connects
    }
    if (c != null && !written) {
      c.completeExceptionally(new ChunkException(Code.NOT_FOUND, "COMMIT never sent to replica "
          + peer + ": " + e.getMessage()));
    } else if (c != null) {
      // sent, so the replica may have applied it: a code that says the outcome is unknown
      c.completeExceptionally(e.code() == Code.TIMEOUT ? e
          : new ChunkException(Code.QUORUM_FAILED, "COMMIT outcome on replica " + peer
              + " unknown: " + e.getMessage()));
    }
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
      deadline.cancel(false);
    }
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
