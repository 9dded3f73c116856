package io.gfs.chunkserver.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A primary's connections to a peer: one taken on an event loop (a write arriving on a client's
 * connection) is registered with that loop, so the stage needs no other thread; one taken
 * elsewhere comes from the pool or this class's own loop. Real TCP on loopback (the peer only
 * accepts: taking a connection sends nothing).
 */
class PeerStagesLoopTest {

  private static Channel take(PeerStages stages, PeerStages.Peer peer, EventLoop on)
      throws Exception {
    CompletableFuture<Channel> f = on == null ? stages.acquire(peer)
        : on.submit(() -> stages.acquire(peer)).get(10, TimeUnit.SECONDS);
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aConnectionTakenOnAnEventLoopIsThatLoopsAndCloseEndsEveryConnection() throws Exception {
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      EventLoop loop = loops.next();
      PeerStages stages = new PeerStages("t");
      PeerStages.Peer peer = stages.peer("127.0.0.1", listener.getLocalPort());

      Channel onLoop = take(stages, peer, loop);
      assertThat(onLoop.eventLoop()).isSameAs(loop);
      Channel elsewhere = take(stages, peer, null);
      assertThat(elsewhere.eventLoop()).isNotSameAs(loop);

      // back in the pool (elsewhere the newest): the loop takes its own, any other thread the
      // newest, and with none idle on it the loop gets a new connection of its own
      stages.release(peer, onLoop);
      stages.release(peer, elsewhere);
      assertThat(take(stages, peer, loop)).isSameAs(onLoop);
      assertThat(take(stages, peer, null)).isSameAs(elsewhere);
      Channel second = take(stages, peer, loop);
      assertThat(second).isNotSameAs(onLoop);
      assertThat(second.eventLoop()).isSameAs(loop);

      // closing ends the connections in use too, also those on a loop that is not its own
      stages.close();
      for (Channel ch : new Channel[] {onLoop, elsewhere, second}) {
        assertThat(ch.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
