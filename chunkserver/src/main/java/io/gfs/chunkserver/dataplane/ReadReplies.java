package io.gfs.chunkserver.dataplane;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ScheduledFuture;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Sends a READ reply: the header frame, then the region's bytes straight from the chunk file
 * (zero-copy where the transport allows), or from the buffer they were read into. The region is
 * released exactly once, after the send completes or fails, or at once when the reply is not
 * sent at all.
 */
final class ReadReplies {
  private static final Logger LOG = LogManager.getLogger(ReadReplies.class);
  private static final int BLOCK = ChunkOperations.CHECKSUM_BLOCK_BYTES;

  private ReadReplies() {
  }

  /**
   * @param timer the request's deadline timer, or null when the request was already answered
   *     (timed out) and the region must only be released
   */
  static void send(ChannelHandlerContext ctx, long requestId, ChunkOperations.ReadRegion region,
      ScheduledFuture<?> timer, boolean closing) {
    if (timer == null || closing) {
      region.release().run();
      return;
    }
    timer.cancel(false);
    String broken = check(region);
    if (broken != null) {
      region.release().run();
      LOG.error("read region breaks the ChunkOperations contract request={} problem={}",
          requestId, broken);
      ctx.writeAndFlush(ReplyFrames.error(ctx.alloc(), requestId, Status.INTERNAL, broken));
      return;
    }
    ctx.write(ReplyFrames.readHeader(ctx.alloc(), requestId, region.chunkOffset(),
        region.committedLength(), region.count(), region.blockCrc32c()));
    if (region.count() == 0) {
      region.release().run();
      ctx.flush();
      return;
    }
    // The client expects exactly count raw bytes after the header: if they cannot all be sent,
    // the stream is unusable and the connection must go.
    if (region.bytes() != null) {
      // Netty does not free memory it wraps: the buffer goes back once the send is over.
      ctx.writeAndFlush(Unpooled.wrappedBuffer(region.bytes())).addListener(f -> {
        region.release().run();
        if (!f.isSuccess()) {
          ctx.channel().close();
        }
      });
      return;
    }
    ctx.writeAndFlush(new PinnedFileRegion(region))
        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  /** Returns what is wrong with a region the engine handed back, or null. */
  static String check(ChunkOperations.ReadRegion region) {
    long count = region.count();
    if (count < 0 || region.chunkOffset() < 0 || region.chunkOffset() % BLOCK != 0) {
      return "bad region chunkOffset=" + region.chunkOffset() + " count=" + count;
    }
    if (region.chunkOffset() + count > region.committedLength()) {
      return "region ends past the committed length " + region.committedLength();
    }
    if (region.bytes() != null && region.bytes().remaining() != count) {
      return "region of " + count + " bytes came with " + region.bytes().remaining();
    }
    long blocks = (count + BLOCK - 1) / BLOCK;
    if (region.blockCrc32c() == null || region.blockCrc32c().length != blocks) {
      return "region of " + count + " bytes needs " + blocks + " block checksums";
    }
    return null;
  }
}
