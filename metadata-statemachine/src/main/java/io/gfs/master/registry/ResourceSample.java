package io.gfs.master.registry;

/** A chunkserver's resource usage as last reported. */
public record ResourceSample(double cpuPercent, long memoryUsedBytes, long memoryTotalBytes,
    long diskUsedBytes, long diskTotalBytes, long freeBytes) {

  public static final ResourceSample EMPTY = new ResourceSample(0, 0, 0, 0, 0, 0);
}
