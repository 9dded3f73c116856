package io.gfs.master.registry;

/** One replica a chunkserver reported: its version, committed length and any lease it holds. */
public record ReplicaReport(String handle, long version, long committedLength, boolean sealed,
    long leaseExpiryMs) {
}
