package io.gfs.it.fault;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the cluster holds after the faults healed and the workload quiesced.
 *
 * @param files the final bytes of every file the workload appended to, read through the SDK
 * @param metaNames every file that exists under the workload's metadata directory
 * @param chunks every chunk of the appended files, with its replicas' bytes from disk
 * @param metadataHandles every chunk handle of every file the final metadata knows
 * @param diskHandles every chunk handle found in a chunkserver's data dir
 */
record FinalState(Map<String, byte[]> files, Set<String> metaNames, List<ChunkReplicas> chunks,
    Set<String> metadataHandles, Set<String> diskHandles) {

  /**
   * One chunk as the master reports it and the bytes of each up-to-date replica's chunk file (an
   * empty array when the file is missing).
   */
  record ChunkReplicas(String path, String handle, long committedLength,
      Map<String, byte[]> replicaBytes) {}
}
