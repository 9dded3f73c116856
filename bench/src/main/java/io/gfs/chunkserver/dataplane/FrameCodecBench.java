package io.gfs.chunkserver.dataplane;

import io.gfs.client.internal.dataplane.RequestFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The data plane's framing: the client encodes a BEGIN_WRITE and one 1 MiB DATA frame, the
 * chunkserver's decoder cuts them back into requests. (In the chunkserver's package because
 * the decoder is package-private; the bench jar only adds to it on the class path.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FrameCodecBench {
  private static final int PIECE = 1 << 20;
  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private final ByteBuffer piece = ByteBuffer.allocateDirect(PIECE);
  private final UUID handle = UUID.randomUUID();
  private EmbeddedChannel decoder;
  private long requestId;

  @Setup
  public void open() {
    decoder = new EmbeddedChannel(new RequestDecoder(8 << 20));
  }

  @TearDown
  public void close() {
    decoder.finishAndReleaseAll();
  }

  @Benchmark
  public int encodeOnly() {
    ByteBuf begin = RequestFrames.beginWrite(alloc, ++requestId, handle, 1, 0, PIECE, 0, 10_000);
    ByteBuf data = RequestFrames.data(alloc, requestId, piece.duplicate());
    int n = begin.readableBytes() + data.readableBytes();
    begin.release();
    data.release();
    return n;
  }

  @Benchmark
  public int encodeAndDecode() {
    long id = ++requestId & 0xffffffL;
    decoder.writeInbound(RequestFrames.beginWrite(alloc, id, handle, 1, 0, PIECE, 0, 10_000));
    decoder.writeInbound(RequestFrames.data(alloc, id, piece.duplicate()));
    int n = 0;
    for (Object o = decoder.readInbound(); o != null; o = decoder.readInbound()) {
      if (o instanceof Request.Violation v) {
        throw new IllegalStateException("decoder refused a frame: " + v);
      }
      if (o instanceof Request.Data d) {
        ReferenceCountUtil.release(d.bytes());
      }
      n++;
    }
    return n;
  }
}
