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
  CompletableFuture<ChunkInfo> claimPrimary(String handle);

  CompletableFuture<RenewLeaseResponse> renewLeases(List<String> handles);

  CompletableFuture<Void> reportCommits(List<ChunkCommit> commits);

  CompletableFuture<Void> reportReplicaProblem(String handle, long version, String serverId,
      ReplicaProblem problem, String detail);
}
