package io.gfs.chunkserver.dataplane;

import com.codahale.metrics.Counter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Refuses connections beyond the cap with a TOO_MANY_CONNECTIONS error frame, then closes them. */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LogManager.getLogger(ConnectionLimiter.class);

  private final String node;
  private final int connectionsMax;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong accepted = new AtomicLong();

  private final Counter refused;

  ConnectionLimiter(String node, int connectionsMax, Counter refused) {
    this.node = node;
    this.connectionsMax = connectionsMax;
    this.refused = refused;
  }

  int openConnections() {
    return open.get();
  }

  long acceptedConnections() {
    return accepted.get();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    accepted.incrementAndGet();
    int now = open.incrementAndGet();
    if (now > connectionsMax) {
      refused.inc();
      LOG.debug("{} connection refused remote={} open={} max={}", node,
          ctx.channel().remoteAddress(), now, connectionsMax);
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(ReplyFrames.error(ctx.alloc(), WireFormat.CONNECTION_REQUEST_ID,
              Status.TOO_MANY_CONNECTIONS,
              "connection limit of " + connectionsMax + " reached, retry later"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    open.decrementAndGet();
    super.channelInactive(ctx);
  }
}
