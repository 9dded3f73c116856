package io.gfs.chunkserver.master;

import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.proto.ResourceUsage;
import java.lang.management.ManagementFactory;

/** Real CPU, memory and disk figures from the OS and JVM, for heartbeats. */
public final class ResourceSampler {
  private final ChunkStore store;

  public ResourceSampler(ChunkStore store) {
    this.store = store;
  }

  public ResourceUsage sample() {
    ResourceUsage.Builder b = ResourceUsage.newBuilder();
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      double cpu = os.getCpuLoad();
      b.setCpuPercent(cpu < 0 ? 0 : cpu * 100.0);
      long total = os.getTotalMemorySize();
      b.setMemoryTotalBytes(total).setMemoryUsedBytes(Math.max(0, total - os.getFreeMemorySize()));
    } else {
      Runtime rt = Runtime.getRuntime();
      b.setMemoryTotalBytes(rt.maxMemory()).setMemoryUsedBytes(rt.totalMemory() - rt.freeMemory());
    }
    ChunkStore.SpaceUsage space = store.space();
    return b.setDiskTotalBytes(space.totalBytes()).setDiskUsedBytes(space.usedBytes())
        .setFreeBytes(space.freeBytes()).build();
  }
}
