package io.gfs.client.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Chunk layouts by (namespace, path), kept for a short TTL so that repeated reads do not ask the
 * master each time, and dropped on any error so that a moved or re-leased chunk is looked up
 * again (LESSONS #19: a cache without a TTL made other processes read stale data).
 */
public final class LocationCache {
  private static final int ENTRIES_MAX = 10_000;

  private final long ttlNanos;
  // guarded by this
  private final Map<String, ChunkLayout> layouts = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ChunkLayout> eldest) {
      return size() > ENTRIES_MAX;
    }
  };

  public LocationCache(Duration ttl) {
    this.ttlNanos = ttl.toNanos();
  }

  public ChunkLayout get(String namespace, String path, Supplier<ChunkLayout> loader) {
    String key = namespace + '\0' + path;
    synchronized (this) {
      ChunkLayout cached = layouts.get(key);
      if (cached != null && System.nanoTime() - cached.fetchedNanos() < ttlNanos) {
        return cached;
      }
    }
    ChunkLayout fresh = loader.get(); // no I/O under the lock
    if (ttlNanos > 0) {
      synchronized (this) {
        layouts.put(key, fresh);
      }
    }
    return fresh;
  }

  public synchronized void invalidate(String namespace, String path) {
    layouts.remove(namespace + '\0' + path);
  }

  public synchronized void clear() {
    layouts.clear();
  }
}
