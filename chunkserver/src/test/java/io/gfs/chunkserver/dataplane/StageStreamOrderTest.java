package io.gfs.chunkserver.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.proto.MutationHeader;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stage's frames reach the secondary in the order the primary sent them, whichever threads
 * send them: a COMMIT sent from the connection's own event loop must not overtake DATA that an
 * I/O thread queued just before (the secondary would take the stage as broken). Real TCP on
 * loopback; the peer only records the frame types it reads.
 */
class StageStreamOrderTest {

  @Test
  void aCommitSentOnTheLoopDoesNotOvertakeDataQueuedFromAnotherThread() throws Exception {
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    BlockingQueue<Integer> types = new LinkedBlockingQueue<>();
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        PeerStages stages = new PeerStages("t")) {
      Thread reader = new Thread(() -> {
        try (Socket s = listener.accept();
            DataInputStream in = new DataInputStream(s.getInputStream())) {
          for (int i = 0; i < 3; i++) { // STAGE, DATA, COMMIT
            in.readUnsignedShort(); // magic
            in.readUnsignedByte(); // version
            types.add(in.readUnsignedByte());
            in.readInt(); // request id
            in.skipNBytes(in.readInt());
          }
        } catch (Exception e) {
          types.add(-1);
        }
      });
      reader.start();
      EventLoop loop = loops.next();
      MutationHeader header = MutationHeader.newBuilder()
          .setHandle("00000000-0000-0000-0000-000000000001").setVersion(1).setLength(100)
          .setStageId(1).build();
      // opened on the loop, so its connection is that loop's
      StageStream stream = loop.submit(() -> stages.open("127.0.0.1", listener.getLocalPort(),
          header, 10_000, true)).get(10, TimeUnit.SECONDS);
      assertThat(types.poll(10, TimeUnit.SECONDS)).isEqualTo(WireFormat.STAGE);

      CountDownLatch dataQueued = new CountDownLatch(1);
      CompletableFuture<Void> committed = new CompletableFuture<>();
      loop.execute(() -> { // holds the loop until the DATA below has been handed to it
        try {
          dataQueued.await(10, TimeUnit.SECONDS);
          stream.commit(header.toBuilder().setSequence(1).build(), 10_000);
          committed.complete(null);
        } catch (InterruptedException e) {
          committed.completeExceptionally(e);
        }
      });
      stream.send(Unpooled.wrappedBuffer(new byte[100])); // from this thread, not the loop
      dataQueued.countDown();
      committed.get(10, TimeUnit.SECONDS);
      assertThat(List.of(types.poll(10, TimeUnit.SECONDS), types.poll(10, TimeUnit.SECONDS)))
          .containsExactly(WireFormat.DATA, WireFormat.COMMIT);
      stream.cancel("test over");
      reader.join(10_000);
    } finally {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
