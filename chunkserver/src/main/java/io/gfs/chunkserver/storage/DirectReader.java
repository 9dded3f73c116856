package io.gfs.chunkserver.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a large committed region that the page cache does not hold with direct I/O (O_DIRECT)
 * into a pooled buffer, which the data plane then sends. Sent from the page cache instead (a
 * zero-copy file region), such a region is first read into freshly allocated cache pages: the
 * benchmark VM charged 2.1–2.4 s of kernel CPU per GiB for that (its host hands idle guest memory
 * back and faults it in again on first touch) against 0.06 s read directly; on any machine a
 * large read of cold data would also evict hotter cached data. Data the page cache does hold
 * (written through it, read recently by a small read) is still sent from there: the region's
 * residency is asked first (mincore, through a short-lived read-only mapping that is unmapped
 * at once, never touched), and only a region not entirely resident is read directly. The kernel
 * keeps direct reads coherent with the cache (it writes dirty pages in the range back first).
 */
final class DirectReader {
  /** The smallest region worth it: smaller reads go through the page cache. */
  static final long MIN_BYTES = 1 << 20;
  /** The largest region read directly (the client's read piece, ChunkReads.PIECE_BYTES_MAX). */
  static final int BUFFER_BYTES = 4 << 20;
  /**
   * Buffers out at once in this process (a buffer stays out until its bytes are sent); reads
   * beyond that go through the page cache.
   */
  static final int HELD_MAX = 16;
  private static final AlignedBuffers BUFFERS = new AlignedBuffers(BUFFER_BYTES, HELD_MAX, 8);
  /** sun.misc.Unsafe#invokeCleaner, bound to the instance: unmaps a mapping now. */
  private static final MethodHandle UNMAP = unmapper();

  private DirectReader() {
  }

  /** Bytes read directly: {@code bytes} (position 0, limit the region's length) until release. */
  record Bytes(ByteBuffer bytes, Runnable release) {
  }

  /**
   * Whether regions can be read directly at all here: the residency check needs to unmap at once
   * (an unmapped mapping would linger until a garbage collection).
   */
  static boolean available() {
    return UNMAP != null;
  }

  /**
   * The {@code count} bytes at {@code position} of {@code file}, read directly, or null when they
   * should be sent from the page cache: a region too small or too large, off the alignment, all
   * of it in the page cache, {@link #HELD_MAX} buffers out, or a direct read that failed (the
   * page-cache path then reads the same bytes and reports a real problem itself).
   *
   * @param cached a channel on {@code file} opened for reading (for the residency check)
   */
  static Bytes readUncached(Path file, FileChannel cached, int alignment, long position,
      long count) {
    if (UNMAP == null || alignment <= 0 || alignment > AlignedBuffers.ALIGNMENT
        || position % alignment != 0 || count < MIN_BYTES || count > BUFFER_BYTES
        || resident(cached, position, count)) {
      return null;
    }
    ByteBuffer buffer = BUFFERS.take();
    if (buffer == null) {
      return null;
    }
    if (!readFully(file, buffer, alignment, position, count)) {
      BUFFERS.giveBack(buffer);
      return null;
    }
    AtomicBoolean released = new AtomicBoolean();
    return new Bytes(buffer.slice(), () -> {
      if (released.compareAndSet(false, true)) {
        BUFFERS.giveBack(buffer);
      }
    });
  }

  /** Reads the region into {@code buffer} (position 0, limit count); false if it could not. */
  private static boolean readFully(Path file, ByteBuffer buffer, int alignment, long position,
      long count) {
    try (FileChannel direct = FileChannel.open(file, StandardOpenOption.READ,
        ExtendedOpenOption.DIRECT)) {
      buffer.clear().limit(Math.toIntExact((count + alignment - 1) / alignment * alignment));
      while (buffer.position() < count) {
        if (buffer.position() % alignment != 0
            || direct.read(buffer, position + buffer.position()) <= 0) {
          return false; // a short read before the end of the region (the file is shorter?)
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
    buffer.flip().limit(Math.toIntExact(count));
    return true;
  }

  /** How many more buffers may be taken now. */
  static int heldAvailable() {
    return BUFFERS.available();
  }

  /** Whether every page of the region is in the page cache (true when that cannot be told). */
  static boolean resident(FileChannel ch, long position, long count) {
    MappedByteBuffer map;
    try {
      map = ch.map(FileChannel.MapMode.READ_ONLY, position, count);
    } catch (IOException | RuntimeException e) {
      return true;
    }
    try {
      return map.isLoaded();
    } finally {
      try {
        UNMAP.invokeExact(map);
      } catch (Throwable e) {
        // cannot happen for a fresh mapping; it would be unmapped by the collector later
      }
    }
  }

  private static MethodHandle unmapper() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field f = unsafeClass.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
              MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(f.get(null))
          .asType(MethodType.methodType(void.class, MappedByteBuffer.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
