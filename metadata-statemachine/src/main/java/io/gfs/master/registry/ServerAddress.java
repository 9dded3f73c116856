package io.gfs.master.registry;

/** Where a chunkserver can be reached. */
public record ServerAddress(String host, int dataPort, int replicationPort, int adminPort) {
}
