package io.gfs.chunkserver.master;

import io.gfs.proto.ChunkCommit;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ReplicaProblem;
import io.gfs.proto.RenewLeaseResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The calls the write engine makes to the master leader. Implemented over gRPC by
 * {@link MasterLink}; tests may use a real gRPC fake master behind it.
 */
public interface MasterCalls {
  /** Asks for (or confirms) this server's lease of the chunk; the chunk's current info. */
  default CompletableFuture<ChunkInfo> claimPrimary(String handle) {
    return claimPrimary(handle, List.of());
  }

  /**
   * As {@link #claimPrimary(String)}, naming servers this primary has just given a full copy of
   * the chunk (at its current version, with no write in flight) so the master adds them back.
   */
  CompletableFuture<ChunkInfo> claimPrimary(String handle, List<String> rejoined);

  CompletableFuture<RenewLeaseResponse> renewLeases(List<String> handles);

  CompletableFuture<Void> reportCommits(List<ChunkCommit> commits);

  CompletableFuture<Void> reportReplicaProblem(String handle, long version, String serverId,
      ReplicaProblem problem, String detail);
}
