package io.gfs.chunkserver.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Serves one client connection: dispatches requests in arrival order, answers each exactly once
 * (or times it out), and stops reading from the socket while a write session is busy, while too
 * many requests are unanswered, or while the client is not draining replies — so the memory one
 * connection holds stays bounded whatever the client does. All state is owned by the channel's
 * event loop; ChunkOperations calls that may block run on the operation executor.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LogManager.getLogger(ConnectionHandler.class);

  private final String node;
  private final ChunkOperations operations;
  private final Executor operationExecutor;
  private final DataPlaneConfig config;
  private final DataPlaneMetrics metrics;
  private final RequestGate gate;

  // Guarded by the event loop.
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  private final Map<Long, ScheduledFuture<?>> unanswered = new HashMap<>();
  private WriteInProgress receiving; // the write whose DATA frames are expected next
  private WriteInProgress unfinished; // begun, finish() not yet called
  private boolean blocked; // waiting for beginWrite or onData before reading the next frame
  private boolean draining;
  private boolean closing;
  private ChannelHandlerContext ctx;
  private EngineCalls engine;

  ConnectionHandler(String node, ChunkOperations operations, Executor operationExecutor,
      DataPlaneConfig config, DataPlaneMetrics metrics, RequestGate gate) {
    this.node = node;
    this.gate = gate;
    this.operations = operations;
    this.operationExecutor = operationExecutor;
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.engine = new EngineCalls(node, operationExecutor, ctx.executor());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg instanceof Request.Data d ? d.bytes() : msg);
      return;
    }
    queue.add((Request) msg);
    drain();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    drain();
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent && unanswered.isEmpty()) {
      closeWithError(WireFormat.CONNECTION_REQUEST_ID, Status.IDLE_TIMEOUT,
          "no request for " + config.idleTimeout().toMillis() + " ms");
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      // The socket failed (reset, broken pipe): nobody is left to read an error frame.
      LOG.debug("{} connection failed remote={} cause={}", node, ctx.channel().remoteAddress(),
          cause.toString());
      closing = true;
      ctx.close();
      return;
    }
    LOG.warn("{} data plane bug, closing connection remote={}", node,
        ctx.channel().remoteAddress(), cause);
    closeWithError(WireFormat.CONNECTION_REQUEST_ID, Status.INTERNAL, cause.toString());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closing = true;
    dropQueued();
    unanswered.values().forEach(t -> {
      t.cancel(false);
      gate.exit();
    });
    unanswered.clear();
    if (unfinished != null) {
      unfinished.abandon("client disconnected");
    }
    super.channelInactive(ctx);
  }

  private void drain() {
    if (draining) {
      return; // a reply sent from inside dispatch(); the outer loop continues
    }
    draining = true;
    try {
      while (!blocked && !closing && !queue.isEmpty()) {
        Request next = queue.peek();
        boolean startsRequest =
            !(next instanceof Request.Data || next instanceof Request.Violation);
        if (startsRequest && (unanswered.size() >= config.inFlightPerConnectionMax()
            || !ctx.channel().isWritable())) {
          break;
        }
        dispatch(queue.poll());
      }
    } finally {
      draining = false;
    }
    if (!closing) {
      ctx.channel().config().setAutoRead(!blocked && queue.isEmpty()
          && unanswered.size() < config.inFlightPerConnectionMax() && ctx.channel().isWritable());
    }
  }

  private void dispatch(Request request) {
    if (request instanceof Request.Violation v) {
      closeWithError(v.requestId(), v.status(), v.message());
    } else if (request instanceof Request.Data d) {
      onData(d);
    } else if (receiving != null) {
      closeWithError(request.requestId(), Status.MALFORMED,
          "a request frame arrived inside the data of request " + receiving.requestId());
    } else if (unanswered.containsKey(request.requestId())) {
      closeWithError(request.requestId(), Status.MALFORMED,
          "request id " + request.requestId() + " is already in flight");
    } else if (!(request instanceof Request.Ping) && gate.isClosed()) {
      refuseWhileStopping(request);
    } else if (request instanceof Request.Ping p) {
      ctx.writeAndFlush(ReplyFrames.pong(ctx.alloc(), p.requestId()));
    } else if (request instanceof Request.Read r) {
      startRead(r);
    } else if (request instanceof Request.CommittedLength c) {
      track(c.requestId(), c.timeoutMs(), null);
      engine.submit(() -> operations.committedLength(c.handle().toString(), c.version()),
          length -> answer(c.requestId(),
              ReplyFrames.committedLength(ctx.alloc(), c.requestId(), length)),
          t -> answerError(c.requestId(), t), length -> { });
    } else if (request instanceof Request.BeginWrite w) {
      startWrite(w);
    } else if (request instanceof Request.Commit c) {
      startCommit(c);
    }
  }

  /** A primary's COMMIT: applied off the event loop, answered when applied (in sequence order). */
  private void startCommit(Request.Commit c) {
    track(c.requestId(), c.timeoutMs(), null);
    engine.submit(() -> operations.commitStaged(c.mutation()),
        applied -> applied.whenComplete((done, err) -> engine.onLoop(() -> {
          if (err != null) {
            answerError(c.requestId(), err);
          } else {
            answer(c.requestId(), ReplyFrames.committed(ctx.alloc(), c.requestId(),
                done.length(), done.sequence()));
          }
        })),
        t -> answerError(c.requestId(), t), applied -> { });
  }

  private void startRead(Request.Read r) {
    if (r.offset() < 0 || r.length() < 0 || r.length() > config.readBytesMax()) {
      sendError(r.requestId(), Status.INVALID_ARGUMENT, "read offset=" + r.offset() + " length="
          + r.length() + " must satisfy offset >= 0 and 0 <= length <= " + config.readBytesMax());
      return;
    }
    track(r.requestId(), r.timeoutMs(), null);
    engine.submit(
        () -> operations.read(r.handle().toString(), r.version(), r.offset(), r.length()),
        region -> {
          metrics.readBytes.mark(region.count());
          if (region.bytes() != null) {
            metrics.readDirectBytes.mark(region.count());
          }
          ReadReplies.send(ctx, r.requestId(), region, untrack(r.requestId()), closing);
          drain();
        },
        t -> answerError(r.requestId(), t), region -> region.release().run());
  }

  private void startWrite(Request.BeginWrite w) {
    if (w.isStageProbe()) {
      ctx.writeAndFlush(ReplyFrames.writeDone(ctx.alloc(), w.requestId(), WireFormat.STAGE,
          operations.commitsBeforeReady() ? WireFormat.FEATURE_COMMIT_BEFORE_READY : 0, 0));
      return;
    }
    String invalid = WriteValidation.check(w, config.writeBytesMax());
    if (invalid != null) {
      sendError(w.requestId(), Status.INVALID_ARGUMENT, invalid);
      if (w.length() > 0 && w.length() <= config.writeBytesMax()) {
        // The client streams the declared bytes anyway; swallow them.
        WriteInProgress discarded = new WriteInProgress(w, w.length());
        discarded.failed = true;
        receiving = discarded;
      }
      return;
    }
    WriteInProgress write = new WriteInProgress(w, w.length());
    receiving = write;
    unfinished = write;
    ChunkOperations.WriteSession quick;
    try {
      quick = w.stage() != null ? operations.tryBeginStageQuickly(w.stage())
          : operations.tryBeginWriteQuickly(w.handle().toString(), w.version(), w.offset(),
              w.length(), w.crc32c());
    } catch (RuntimeException e) {
      track(w.requestId(), w.timeoutMs(), null);
      write.failed = true;
      answerError(w.requestId(), e);
      return;
    }
    track(w.requestId(), w.timeoutMs(), () -> {
      write.abandon("deadline passed");
      if (write.awaitingEngine) {
        // Stop waiting for a stuck engine call, or this connection would never read again.
        write.awaitingEngine = false;
        blocked = false;
      }
    });
    if (quick != null) {
      write.session = quick; // begun on the event loop: its DATA can follow at once
      return;
    }
    awaitEngine(write);
    engine.submit(
        () -> w.stage() != null ? operations.beginStage(w.stage())
            : operations.beginWrite(w.handle().toString(), w.version(), w.offset(), w.length(),
                w.crc32c()),
        session -> began(write, session),
        t -> {
          if (engineAnswered(write)) {
            write.failed = true;
            answerError(w.requestId(), t);
            drain();
          }
        },
        session -> session.abort("server shutting down"));
  }

  private void awaitEngine(WriteInProgress write) {
    write.awaitingEngine = true;
    blocked = true;
  }

  /** Returns false when the answer is stale (the write was abandoned while waiting). */
  private boolean engineAnswered(WriteInProgress write) {
    if (!write.awaitingEngine) {
      return false;
    }
    write.awaitingEngine = false;
    blocked = false;
    return true;
  }

  private void began(WriteInProgress write, ChunkOperations.WriteSession session) {
    engineAnswered(write);
    write.session = session;
    if (write.failed || closing) {
      // Abandoned (deadline, disconnect) while beginWrite ran: the session never saw abort().
      write.failed = true;
      session.abort(closing ? "client disconnected" : "deadline passed");
    }
    drain();
  }

  private void onData(Request.Data data) {
    WriteInProgress write = receiving;
    ByteBuf bytes = data.bytes();
    int size = bytes.readableBytes();
    if (write == null || write.requestId() != data.requestId() || size > write.remainingBytes) {
      bytes.release();
      closeWithError(data.requestId(), Status.MALFORMED, write == null
          ? "DATA frame without a write in progress"
          : "DATA frame for request " + data.requestId() + " of " + size + " bytes; expected "
              + write.remainingBytes + " more bytes of request " + write.requestId());
      return;
    }
    write.remainingBytes -= size;
    metrics.writeBytes.mark(size);
    if (write.remainingBytes == 0) {
      receiving = null;
    }
    if (write.failed) {
      bytes.release();
      if (write.remainingBytes == 0 && write.refusalAfterData != null) {
        sendError(write.requestId(), Status.NOT_PRIMARY, write.refusalAfterData);
      }
      return;
    }
    awaitEngine(write);
    CompletionStage<Void> taken;
    try {
      taken = write.session.onData(bytes);
    } catch (RuntimeException e) {
      taken = CompletableFuture.failedFuture(e);
    }
    if (write.remainingBytes == 0 && !closing) {
      // Finish right behind the last piece instead of once the engine took it: the engine
      // orders the two itself, and waiting here would cost two thread hand-offs per write
      // (engine → event loop → engine) on the critical path. A rejected piece then fails the
      // outcome. The connection still stays blocked until the piece is taken (memory bound).
      finish(write);
    }
    taken.whenComplete((ignored, t) -> engine.onLoop(() -> pieceTaken(write, t)));
  }

  private void pieceTaken(WriteInProgress write, Throwable failure) {
    if (!engineAnswered(write)) {
      return; // abandoned while the engine held the piece; already answered
    }
    if (write.finishing && unfinished == write) {
      unfinished = null; // the engine holds every byte now; the outcome is its own
    }
    if (failure != null && !write.failed && !write.finishing) {
      write.abandon("piece rejected: " + failure);
      answerError(write.requestId(), failure);
    }
    drain();
  }

  private void finish(WriteInProgress write) {
    write.finishing = true;
    CompletionStage<ChunkOperations.WriteOutcome> outcome;
    try {
      outcome = write.session.finish();
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    outcome.whenComplete((o, t) -> engine.onLoop(() -> {
      if (t != null) {
        answerError(write.requestId(), t);
      } else {
        answer(write.requestId(), ReplyFrames.writeDone(ctx.alloc(), write.requestId(),
            write.request.replyType(), o.offset(), o.committedLength()));
      }
    }));
  }

  /** Registers a request as unanswered and arms its deadline. */
  private void track(long requestId, long timeoutMs, Runnable onTimeout) {
    long max = config.requestTimeoutMax().toMillis();
    long effective = timeoutMs == 0 ? max : Math.min(timeoutMs, max);
    ScheduledFuture<?> timer = ctx.executor().schedule(() -> {
      if (untrack(requestId) != null) {
        metrics.requestsTimedOut.inc();
        sendError(requestId, Status.TIMEOUT, "deadline of " + effective + " ms passed");
        if (onTimeout != null) {
          onTimeout.run();
        }
        drain();
      }
    }, effective, TimeUnit.MILLISECONDS);
    unanswered.put(requestId, timer);
    gate.enter();
  }

  /** Forgets an answered request; null when it was not unanswered (already answered). */
  private ScheduledFuture<?> untrack(long requestId) {
    ScheduledFuture<?> timer = unanswered.remove(requestId);
    if (timer != null) {
      gate.exit();
    }
    return timer;
  }

  /**
   * The server is stopping: a new request gets a definite "not done" (a write NOT_PRIMARY, so
   * the client asks the master again and goes elsewhere) while requests already accepted finish.
   */
  private void refuseWhileStopping(Request request) {
    String message = "chunkserver " + node + " is stopping";
    if (request instanceof Request.BeginWrite w) {
      if (w.length() > 0 && w.length() <= config.writeBytesMax()) {
        WriteInProgress discarded = new WriteInProgress(w, w.length()); // swallow its DATA
        discarded.failed = true;
        discarded.refusalAfterData = message;
        receiving = discarded;
      } else {
        sendError(w.requestId(), Status.NOT_PRIMARY, message);
      }
    } else {
      sendError(request.requestId(), Status.OVERLOADED, message);
    }
  }

  private void answer(long requestId, ByteBuf frame) {
    ScheduledFuture<?> timer = untrack(requestId);
    if (timer == null || closing) {
      frame.release(); // already answered with TIMEOUT, or the connection is gone
      return;
    }
    timer.cancel(false);
    ctx.writeAndFlush(frame);
    drain();
  }

  private void answerError(long requestId, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof ChunkException ce) {
      answer(requestId, ReplyFrames.error(ctx.alloc(), requestId, Status.of(ce.code()),
          ce.getMessage()));
    } else {
      LOG.warn("{} chunk operation failed unexpectedly request={}", node, requestId, cause);
      answer(requestId, ReplyFrames.error(ctx.alloc(), requestId, Status.INTERNAL,
          cause.toString()));
    }
  }

  private void sendError(long requestId, Status status, String message) {
    ctx.writeAndFlush(ReplyFrames.error(ctx.alloc(), requestId, status, message));
  }

  /**
   * The server is stopping and has let accepted requests finish: tells the client GOING_AWAY and
   * hangs up. Whatever is still unanswered first gets a TIMEOUT (its outcome is unknown), so that
   * every request without an answer when the client reads GOING_AWAY was never executed and may
   * be retried elsewhere. Until the client closes (or {@code linger} passes) whatever it still
   * sends is read and dropped, so the socket is not reset under the GOING_AWAY frame. Runs on the
   * event loop.
   */
  void goAway(Duration linger) {
    if (closing) {
      return;
    }
    closing = true;
    for (Long requestId : List.copyOf(unanswered.keySet())) {
      ScheduledFuture<?> timer = untrack(requestId);
      timer.cancel(false);
      ctx.write(ReplyFrames.error(ctx.alloc(), requestId, Status.TIMEOUT, "chunkserver " + node
          + " stopped before this request finished; its outcome is unknown"));
    }
    if (unfinished != null) {
      unfinished.abandon("server stopping");
    }
    dropQueued();
    ctx.writeAndFlush(ReplyFrames.error(ctx.alloc(), WireFormat.CONNECTION_REQUEST_ID,
        Status.GOING_AWAY, "chunkserver " + node + " is stopping; requests without a reply were "
            + "not executed"));
    ctx.channel().config().setAutoRead(true);
    ctx.executor().schedule(() -> ctx.close(), linger.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Drops the requests read but not dispatched, releasing the data they hold. */
  private void dropQueued() {
    for (Request r : queue) {
      if (r instanceof Request.Data d) {
        d.bytes().release();
      }
    }
    queue.clear();
  }

  /** Protocol errors: the stream cannot be trusted any more, so answer and hang up. */
  private void closeWithError(long requestId, Status status, String message) {
    if (closing) {
      return;
    }
    closing = true;
    if (status != Status.IDLE_TIMEOUT) {
      metrics.protocolErrors.inc();
    }
    LOG.debug("{} closing connection remote={} status={} message={}", node,
        ctx.channel().remoteAddress(), status, message);
    ctx.channel().config().setAutoRead(false);
    if (unfinished != null) {
      unfinished.abandon("protocol error: " + status);
    }
    ctx.writeAndFlush(ReplyFrames.error(ctx.alloc(), requestId, status, message))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
