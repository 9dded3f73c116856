package io.gfs.chunkserver.dataplane;

import static io.gfs.chunkserver.dataplane.WireFormat.*;

import io.gfs.proto.CommitResponse;
import io.gfs.proto.MutationHeader;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.ThreadExecutorMap;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The primary's side of STAGE and COMMIT (docs/protocol.md): streams each mutation to a
 * secondary's data plane, where the bytes go from the socket to the stage file with no protobuf or
 * HTTP/2 framing in between, and the primary forwards the very buffers it received from the
 * client; then commits it there. Connections are pooled per peer and reused after a stage that
 * ended READY or a commit that was applied.
 *
 * <p>A peer is used this way only once it has answered a probe (a STAGE without a mutation): a
 * server of an older version, or one without a data plane, keeps getting the replication plane's
 * gRPC Stage, so a rolling upgrade mixes versions safely. Until the first probe has been
 * answered, {@link #takesStages} says no.
 *
 * <p>A stage begun on one of the data plane's event loops (the usual case: a write arriving on a
 * client's connection) is sent on a connection registered with that same loop, so its frames go
 * out and its READY comes back without waking another thread; on this VM a thread wake-up costs
 * about as much as the work of a small append. Stages begun elsewhere use this class's own loop.
 */
public final class PeerStages implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(PeerStages.class);
  /**
   * DATA frames this size at most: the data plane's frame limit, as the client library cuts its
   * writes (so a client's piece goes on as one frame, and the secondary takes it as one piece).
   */
  static final int FRAME_BYTES = DataPlaneConfig.DATA_FRAME_BYTES;
  private static final int REPLY_BYTES_MAX = HEADER_BYTES + 64 * 1024;
  private static final int IDLE_PER_PEER_MAX = 8;
  /** Pooled connections idle longer are closed: well inside the server's idle timeout. */
  private static final long IDLE_MS_MAX = 20_000;
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final long PROBE_TIMEOUT_MS = 5_000;
  private static final long UNREACHABLE_RETRY_MS = 5_000;
  private static final long REFUSED_RETRY_MS = 60_000;

  private final String nodeId;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
  /** Every open connection, also those on other loops than {@link #group}'s (closed by close). */
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicLong requestIds = new AtomicLong();
  private volatile boolean closed;

  public PeerStages(String nodeId) {
    this.nodeId = nodeId;
    this.group = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory(nodeId + "-stage-io", true), NioIoHandler.newFactory());
    this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(1 << 20, 4 << 20))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(REPLY_BYTES_MAX, 8, 4, 0, 0),
                new Replies());
          }
        });
  }

  /** One peer's data plane: its pooled connections and whether it takes stages. */
  static final class Peer {
    final String host;
    final int port;
    final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
    final AtomicBoolean probing = new AtomicBoolean();
    volatile boolean takesStages;
    /** The peer takes a COMMIT right behind its STAGE's data, before READY (probe's answer). */
    volatile boolean commitsBeforeReady;
    volatile long probeAfterNanos = System.nanoTime();
    /** A server that takes STAGE but refused COMMIT (one version behind) gets gRPC until then. */
    volatile long commitsRefusedUntilNanos = System.nanoTime();

    Peer(String host, int port) {
      this.host = host;
      this.port = port;
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private record Idle(Channel channel, long sinceNanos) {
  }

  /** What a connection's replies go to: the stage or commit using it, or the probe. */
  interface Listener {
    /** {@code frame}: the whole reply frame, header included; valid during the call only. */
    void onReply(int type, long requestId, Status status, String message, ByteBuf frame);

    void onClosed();

    void onWritable();
  }

  /**
   * Whether the peer's data plane takes STAGE. When that is not known yet (or a while after it
   * said no, or could not be reached), asks it in the background and says no meanwhile.
   */
  public boolean takesStages(String host, int dataPort) {
    if (dataPort <= 0 || closed) {
      return false;
    }
    Peer p = peer(host, dataPort);
    if (p.takesStages) {
      return true;
    }
    if (System.nanoTime() - p.probeAfterNanos >= 0 && p.probing.compareAndSet(false, true)) {
      probe(p);
    }
    return false;
  }

  /**
   * Starts streaming {@code header}'s mutation to the peer; call only after
   * {@link #takesStages} said yes. The stream fails by itself after {@code deadlineMs}.
   */
  public StageStream open(String host, int dataPort, MutationHeader header, long deadlineMs,
      boolean commitFollows) {
    return new StageStream(this, peer(host, dataPort), nextRequestId(), header, deadlineMs,
        commitFollows);
  }

  /** Whether the peer takes COMMIT on its data plane (as far as is known: see takesStages). */
  public boolean takesCommits(String host, int dataPort) {
    return takesStages(host, dataPort)
        && System.nanoTime() - peer(host, dataPort).commitsRefusedUntilNanos >= 0;
  }

  /**
   * Whether the peer takes a COMMIT sent right behind its STAGE's data, on the same connection,
   * before its READY ({@link StageStream#commit}): it said so in the answer to the probe.
   */
  public boolean takesCommitsBeforeReady(String host, int dataPort) {
    return takesCommits(host, dataPort) && peer(host, dataPort).commitsBeforeReady;
  }

  /**
   * The data plane could not carry a COMMIT (refused as unknown, or the connection failed or
   * closed before an answer) and no deadline has passed: a commit is idempotent on the replica,
   * so the caller may send it again over gRPC at once.
   */
  public static final class CommitNotCarried extends RuntimeException {
    CommitNotCarried(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Commits {@code mutation} (ordered) on the peer over its data plane: completes with the
   * peer's answer; exceptionally with a {@link ChunkException} the peer answered (TIMEOUT too,
   * when the deadline passes first: the outcome is then unknown), or {@link CommitNotCarried}.
   */
  public CompletableFuture<CommitResponse> commit(String host, int dataPort,
      MutationHeader mutation, long deadlineMs) {
    Peer p = peer(host, dataPort);
    CompletableFuture<CommitResponse> out = new CompletableFuture<>();
    acquire(p).whenComplete((ch, err) -> {
      if (err != null) {
        out.completeExceptionally(new CommitNotCarried("no connection to " + p, err));
        return;
      }
      long id = nextRequestId();
      exchange(ch, mutationFrame(COMMIT, id, deadlineMs, mutation), deadlineMs, new Answer() {
        @Override
        public void onReply(int type, long requestId, Status status, String message,
            ByteBuf frame) {
          if (requestId == id && type == (REPLY_BIT | COMMIT)
              && frame.readableBytes() >= HEADER_BYTES + 16) {
            release(p, ch);
            out.complete(committedFrom(frame));
            return;
          }
          ch.close(); // an error reply, or one that makes no sense: not reused
          if (requestId == id && type == ERROR && status == Status.UNKNOWN_OPERATION) {
            p.commitsRefusedUntilNanos = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(REFUSED_RETRY_MS);
            LOG.info("{} replica commits go over gRPC peer={} reason=COMMIT refused", nodeId, p);
            out.completeExceptionally(new CommitNotCarried("COMMIT refused by " + p, null));
          } else if (requestId == id && type == ERROR) {
            out.completeExceptionally(new ChunkException(status.chunkCode(), message));
          } else {
            out.completeExceptionally(new CommitNotCarried(String.format(
                "unexpected reply 0x%02x to COMMIT from %s", type, p), null));
          }
        }

        @Override
        public void onNoReply(boolean deadlinePassed) {
          out.completeExceptionally(deadlinePassed
              ? new ChunkException(ChunkException.Code.TIMEOUT, "no answer to COMMIT from " + p
                  + " within " + deadlineMs + " ms")
              : new CommitNotCarried("connection to " + p + " closed before the answer to COMMIT",
                  null));
        }
      });
    });
    return out;
  }

  /** A COMMIT_OK frame's (header included, body checked to be long enough) replica state. */
  static CommitResponse committedFrom(ByteBuf frame) {
    return CommitResponse.newBuilder()
        .setCommittedLength(frame.getLong(frame.readerIndex() + HEADER_BYTES))
        .setCommittedSequence(frame.getLong(frame.readerIndex() + HEADER_BYTES + 8))
        .build();
  }

  /** The one reply to a request sent with {@link #exchange}, or its absence. */
  private interface Answer {
    /** As {@link Listener#onReply}; the connection is the caller's to release or close. */
    void onReply(int type, long requestId, Status status, String message, ByteBuf frame);

    /** No reply: the deadline passed (the connection is then closed) or the connection closed. */
    void onNoReply(boolean deadlinePassed);
  }

  /**
   * Sends a request that has one reply on {@code ch} and hands {@code answer} exactly one
   * outcome: the reply, or its absence when the deadline passes first (closing the connection, so
   * a late reply never reaches its next user) or the connection closes.
   */
  private static void exchange(Channel ch, ByteBuf request, long deadlineMs, Answer answer) {
    AtomicBoolean answered = new AtomicBoolean();
    var timer = ch.eventLoop().schedule(() -> {
      if (answered.compareAndSet(false, true)) {
        ch.close();
        answer.onNoReply(true);
      }
    }, deadlineMs, TimeUnit.MILLISECONDS);
    Listener listener = new Listener() {
      @Override
      public void onReply(int type, long requestId, Status status, String message,
          ByteBuf frame) {
        if (answered.compareAndSet(false, true)) {
          timer.cancel(false);
          answer.onReply(type, requestId, status, message, frame);
        }
      }

      @Override
      public void onClosed() {
        if (answered.compareAndSet(false, true)) {
          timer.cancel(false);
          answer.onNoReply(false);
        }
      }

      @Override
      public void onWritable() {
      }
    };
    if (!listen(ch, listener) || !ch.isActive()) {
      request.release();
      listener.onClosed();
      return;
    }
    ch.writeAndFlush(request).addListener(w -> {
      if (!w.isSuccess()) {
        ch.close(); // the listener's onClosed answers
      }
    });
  }

  Peer peer(String host, int dataPort) {
    return peers.computeIfAbsent(host + ":" + dataPort, k -> new Peer(host, dataPort));
  }

  long nextRequestId() {
    long id;
    do {
      id = requestIds.incrementAndGet() & 0xFFFF_FFFFL;
    } while (id == CONNECTION_REQUEST_ID);
    return id;
  }

  String nodeId() {
    return nodeId;
  }

  /**
   * A live pooled connection to the peer, or a new one. On one of the data plane's event loops,
   * one registered with that loop (a new one if none is idle); elsewhere the most recently used.
   */
  CompletableFuture<Channel> acquire(Peer p) {
    EventLoop loop = callersLoop();
    Channel idle = takeIdle(p, loop);
    if (idle != null) {
      return CompletableFuture.completedFuture(idle);
    }
    CompletableFuture<Channel> out = new CompletableFuture<>();
    if (closed) {
      out.completeExceptionally(new IllegalStateException("peer stages closed"));
      return out;
    }
    ChannelFuture f = (loop == null ? bootstrap : bootstrap.clone(loop)).connect(p.host, p.port);
    connections.add(f.channel());
    f.addListener(x -> {
      if (x.isSuccess()) {
        out.complete(f.channel());
      } else {
        suspect(p, "connect failed");
        out.completeExceptionally(x.cause());
      }
    });
    return out;
  }

  /** The newest live idle connection (on {@code loop}, unless null); stale ones are closed. */
  private Channel takeIdle(Peer p, EventLoop loop) {
    long maxAge = TimeUnit.MILLISECONDS.toNanos(IDLE_MS_MAX);
    for (Idle i : p.idle) {
      boolean lost = !i.channel().isActive();
      if (lost || System.nanoTime() - i.sinceNanos() >= maxAge) {
        if (p.idle.remove(i)) {
          i.channel().close();
        }
        if (lost) {
          suspect(p, "pooled connection closed by the peer");
        }
      } else if ((loop == null || i.channel().eventLoop() == loop) && p.idle.remove(i)) {
        return i.channel(); // remove() failing means another caller took it first
      }
    }
    return null;
  }

  /**
   * The NIO event loop the calling thread runs, or null: a data plane's (or this class's own)
   * loop can carry a connection to a peer, gRPC's and other threads cannot.
   */
  static EventLoop callersLoop() {
    EventExecutor e = ThreadExecutorMap.currentExecutor();
    return e instanceof IoEventLoop l && l.isIoType(NioIoHandler.class) && !l.isShuttingDown()
        ? l : null;
  }

  /** Runs {@code task} after {@code delayMs} on the caller's loop if it has one, else on ours. */
  ScheduledFuture<?> schedule(Runnable task, long delayMs) {
    EventLoop loop = callersLoop();
    if (loop != null) {
      try {
        return loop.schedule(task, delayMs, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // that loop is shutting down: ours keeps the time
      }
    }
    return group.schedule(task, delayMs, TimeUnit.MILLISECONDS);
  }

  /** Takes back a connection whose last request was answered, or closes it. */
  void release(Peer p, Channel ch) {
    listen(ch, null);
    if (closed || !ch.isActive() || p.idle.size() >= IDLE_PER_PEER_MAX) {
      ch.close();
      return;
    }
    p.idle.addFirst(new Idle(ch, System.nanoTime()));
    if (closed) {
      ch.close(); // close() may have drained the pool meanwhile
    }
  }

  /**
   * Makes {@code listener} the one the connection's replies go to; false when the connection
   * is already gone (a closed channel's pipeline no longer has the handler).
   */
  static boolean listen(Channel ch, Listener listener) {
    Replies r = ch.pipeline().get(Replies.class);
    if (r == null) {
      return false;
    }
    r.listener = listener;
    return true;
  }

  /**
   * The peer may have restarted, perhaps as another version (a connection to it failed or was
   * closed from its side): until it answers a new probe, its stages go over gRPC. Without this a
   * peer downgraded to a version that does not wait for a stage before its COMMIT would answer
   * early COMMITs NOT_FOUND, and be reported stale for it.
   */
  private void suspect(Peer p, String why) {
    if (p.takesStages) {
      p.takesStages = false;
      p.commitsBeforeReady = false;
      p.probeAfterNanos = System.nanoTime();
      LOG.info("{} replica stages go over gRPC until the peer is asked again peer={} reason={}",
          nodeId, p, why);
    }
  }

  /** The peer refused a stage as an unknown operation (a downgrade): ask it again later. */
  void forget(Peer p) {
    if (p.takesStages) {
      p.takesStages = false;
      p.probeAfterNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REFUSED_RETRY_MS);
      LOG.info("{} replica stages go over gRPC again peer={} reason=STAGE refused", nodeId, p);
    }
  }

  private void probe(Peer p) {
    acquire(p).whenComplete((ch, err) -> {
      if (err != null) {
        probed(p, false, UNREACHABLE_RETRY_MS, "unreachable: " + err);
        return;
      }
      long id = nextRequestId();
      exchange(ch, stageFrame(id, 0, MutationHeader.getDefaultInstance()), PROBE_TIMEOUT_MS,
          new Answer() {
            @Override
            public void onReply(int type, long requestId, Status status, String message,
                ByteBuf frame) {
              boolean yes = requestId == id && type == (REPLY_BIT | STAGE);
              // the answer's first field holds the server's features (0 from older servers)
              p.commitsBeforeReady = yes && frame.readableBytes() >= HEADER_BYTES + 8
                  && (frame.getLong(frame.readerIndex() + HEADER_BYTES)
                      & FEATURE_COMMIT_BEFORE_READY) != 0;
              if (yes) {
                release(p, ch);
              } else {
                ch.close();
              }
              probed(p, yes, REFUSED_RETRY_MS, yes ? "" : status + " " + message);
            }

            @Override
            public void onNoReply(boolean deadlinePassed) {
              probed(p, false, UNREACHABLE_RETRY_MS, deadlinePassed ? "no answer to the probe"
                  : "connection closed before the answer to the probe");
            }
          });
    });
  }

  private void probed(Peer p, boolean yes, long retryMs, String why) {
    p.takesStages = yes;
    p.probeAfterNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMs);
    p.probing.set(false);
    if (yes) {
      LOG.info("{} replica stages go over the data plane peer={} commitsBeforeReady={}", nodeId,
          p, p.commitsBeforeReady);
    } else {
      LOG.info("{} replica stages go over gRPC peer={} reason={}", nodeId, p, why);
    }
  }

  static ByteBuf stageFrame(long requestId, long timeoutMs, MutationHeader header) {
    return mutationFrame(STAGE, requestId, timeoutMs, header);
  }

  /** A STAGE or COMMIT frame: timeout, then the header. */
  static ByteBuf mutationFrame(int type, long requestId, long timeoutMs, MutationHeader header) {
    byte[] body = header.toByteArray();
    ByteBuf buf = Unpooled.buffer(HEADER_BYTES + 4 + body.length);
    frameHeader(buf, type, requestId, 4 + body.length);
    return buf.writeInt((int) Math.min(timeoutMs, 0xFFFF_FFFFL)).writeBytes(body);
  }

  static ByteBuf dataHeader(long requestId, int length) {
    return frameHeader(Unpooled.buffer(HEADER_BYTES), DATA, requestId, length);
  }

  private static ByteBuf frameHeader(ByteBuf buf, int type, long requestId, int bodyLength) {
    return buf.writeShort(MAGIC).writeByte(VERSION).writeByte(type).writeInt((int) requestId)
        .writeInt(bodyLength);
  }

  @Override
  public void close() {
    closed = true;
    peers.values().forEach(p -> p.idle.clear());
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS); // idle and in use alike
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** Cuts reply frames out of a connection and hands them to its current listener. */
  static final class Replies extends ChannelInboundHandlerAdapter {
    volatile Listener listener;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf f = (ByteBuf) msg;
      try {
        Listener l = listener;
        if (f.readableBytes() < HEADER_BYTES || f.getUnsignedShort(0) != MAGIC) {
          ctx.close(); // not our protocol: nothing more on this connection can be trusted
          return;
        }
        int type = f.getUnsignedByte(3);
        long requestId = f.getUnsignedInt(4);
        Status status = Status.OK;
        String message = "";
        if (type == ERROR && f.readableBytes() >= HEADER_BYTES + 3) {
          status = Status.ofWire(f.getUnsignedByte(HEADER_BYTES));
          int n = Math.min(f.getUnsignedShort(HEADER_BYTES + 1),
              f.readableBytes() - HEADER_BYTES - 3);
          message = f.toString(HEADER_BYTES + 3, n, StandardCharsets.UTF_8);
        }
        if (l != null) {
          l.onReply(type, requestId, status, message, f);
        } else {
          ctx.close(); // an idle connection spoke (idle timeout, server stopping): drop it
        }
      } finally {
        f.release();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      Listener l = listener;
      if (l != null) {
        l.onWritable();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Listener l = listener;
      if (l != null) {
        l.onClosed();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("peer stage connection failed remote={} cause={}", ctx.channel().remoteAddress(),
          cause.toString());
      ctx.close();
    }
  }
}
