package io.gfs.chunkserver.dataplane;

import io.netty.channel.DefaultFileRegion;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A zero-copy region of a chunk file whose channel belongs to the storage layer: when Netty is done
 * with it (sent, or the send failed) it unpins the channel instead of closing it.
 */
final class PinnedFileRegion extends DefaultFileRegion {
  private final Runnable release;
  private final AtomicBoolean released = new AtomicBoolean();

  PinnedFileRegion(ChunkOperations.ReadRegion region) {
    super(region.channel(), region.position(), region.count());
    this.release = region.release();
  }

  @Override
  protected void deallocate() {
    // Deliberately not super.deallocate(): that would close the storage layer's FileChannel.
    if (released.compareAndSet(false, true)) {
      release.run();
    }
  }
}
