package io.gfs.client;

import java.time.Instant;

/**
 * A file or directory as the master knows it.
 *
 * @param namespace the namespace ("default" unless one was given)
 * @param path absolute, normalized path
 * @param directory true for a directory
 * @param length committed bytes the master knows (may trail the last chunk by a heartbeat)
 * @param chunkCount number of chunks
 * @param created creation time, chosen by the master leader
 * @param modified last modification time, chosen by the master leader
 */
public record FileStatus(
    String namespace,
    String path,
    boolean directory,
    long length,
    int chunkCount,
    Instant created,
    Instant modified) {
}
