package io.gfs.client.internal.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One persistent connection to a chunkserver. Requests are pipelined: each gets a fresh request id
 * and a future that the matching reply (or the deadline, or the connection's end) completes.
 * Futures complete on the channel's event loop.
 */
final class DataPlaneConnection {
  private static final long REQUEST_ID_MAX = 0xFFFF_FFFFL;

  private final Channel channel;
  private volatile SocketAddress server; // known once connected; kept for messages after close
  private final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
  private final AtomicLong requestCounter = new AtomicLong();
  /** Set when the server ended the connection with a connection-level error: send no more. */
  private volatile DataPlaneException ended;
  /** Someone is writing frames to this connection; guarded by the owning ConnectionPool. */
  boolean busySending;

  DataPlaneConnection(Channel channel) {
    this.channel = channel;
  }

  Channel channel() {
    return channel;
  }

  boolean isActive() {
    return ended == null && channel.isActive();
  }

  ChannelInboundHandlerAdapter handler() {
    return new ReplyHandler();
  }

  /**
   * Allocates a request id and its reply future, armed with the deadline. The caller then sends
   * the request's frames with that id.
   */
  long register(CompletableFuture<Reply> reply, long timeoutMs) {
    long id;
    do {
      // Ids cycle through [1, 2^32 - 1]; 0 is reserved for connection-level errors.
      id = requestCounter.getAndIncrement() % REQUEST_ID_MAX + 1;
    } while (pending.putIfAbsent(id, reply) != null);
    long requestId = id;
    ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
      if (pending.remove(requestId, reply)) {
        reply.completeExceptionally(new DataPlaneException(DataPlaneStatus.TIMEOUT,
            "no reply from " + server + " within " + timeoutMs + " ms (request " + requestId
                + ")"));
      }
    }, timeoutMs, TimeUnit.MILLISECONDS);
    reply.whenComplete((r, t) -> timer.cancel(false));
    DataPlaneException end = ended;
    if (end != null) {
      fail(requestId, end);
    } else if (!channel.isActive()) {
      fail(requestId, new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
          "connection to " + server + " is closed"));
    }
    return requestId;
  }

  /** Sends one frame; a failed send fails the request and closes the connection. */
  void send(long requestId, ByteBuf frame) {
    channel.writeAndFlush(frame).addListener(f -> failOnError(requestId, f));
  }

  /**
   * Queues one frame without flushing it: the caller's next flush on this channel (or its
   * closing) follows. A failed send fails the request and closes the connection.
   */
  void queue(long requestId, ByteBuf frame) {
    channel.write(frame).addListener(f -> failOnError(requestId, f));
  }

  private void failOnError(long requestId, Future<?> f) {
    if (!f.isSuccess()) {
      fail(requestId, new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
          "sending to " + server + " failed", f.cause()));
      channel.close();
    }
  }

  void fail(long requestId, DataPlaneException e) {
    CompletableFuture<Reply> reply = pending.remove(requestId);
    if (reply != null) {
      reply.completeExceptionally(e);
    }
  }

  void close() {
    channel.close();
  }

  private void failAll(DataPlaneException e) {
    for (Long id : pending.keySet()) {
      fail(id, e);
    }
  }

  private final class ReplyHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      server = ctx.channel().remoteAddress();
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Reply reply = (Reply) msg;
      if (reply instanceof Reply.Error e && e.requestId() == WireFormat.CONNECTION_REQUEST_ID) {
        // Set before failing the requests: their retries must not pick this connection.
        ended = new DataPlaneException(e.status(), server + " closed the connection: "
            + e.message());
        failAll(ended);
        ctx.close();
        return;
      }
      CompletableFuture<Reply> future = pending.remove(reply.requestId());
      if (reply instanceof Reply.Error e) {
        if (future != null) {
          future.completeExceptionally(new DataPlaneException(e.status(), e.message()));
        }
      } else if (future == null || !future.complete(reply)) {
        reply.release(); // timed out already: the late reply is dropped, its buffers with it
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent && pending.isEmpty()) {
        ctx.close(); // an unused pooled connection; close before the server's idle timeout does
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failAll(new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
          "connection to " + server + " failed", cause));
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      failAll(new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
          "connection to " + server + " closed"));
      super.channelInactive(ctx);
    }
  }
}
