package io.gfs.master.statemachine;

import io.gfs.proto.AddReplicaOp;
import io.gfs.proto.AllocateChunkOp;
import io.gfs.proto.ChunkCommit;
import io.gfs.proto.ChunkQuery;
import io.gfs.proto.CommitChunksOp;
import io.gfs.proto.CreateFileOp;
import io.gfs.proto.DeleteNamespaceOp;
import io.gfs.proto.DeleteOp;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetFileRequest;
import io.gfs.proto.GrantLeaseOp;
import io.gfs.proto.ListFilesRequest;
import io.gfs.proto.ListNamespacesRequest;
import io.gfs.proto.MarkStaleOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MkdirOp;
import io.gfs.proto.RemoveReplicaOp;
import io.gfs.proto.RenameOp;
import io.gfs.proto.StatsQuery;
import java.util.List;

/** Terse builders for commands and queries in tests (timestamps are set by {@link Fixture}). */
final class Ops {
  private Ops() {
  }

  static MasterCommand create(String ns, String path) {
    return MasterCommand.newBuilder()
        .setCreateFile(CreateFileOp.newBuilder().setNamespace(ns).setPath(path)).build();
  }

  static MasterCommand mkdir(String ns, String path, boolean parents) {
    return MasterCommand.newBuilder().setMkdir(
        MkdirOp.newBuilder().setNamespace(ns).setPath(path).setParents(parents)).build();
  }

  static MasterCommand delete(String ns, String path, boolean recursive) {
    return MasterCommand.newBuilder().setDelete(
        DeleteOp.newBuilder().setNamespace(ns).setPath(path).setRecursive(recursive)).build();
  }

  static MasterCommand rename(String ns, String from, String to, boolean overwrite) {
    return MasterCommand.newBuilder().setRename(RenameOp.newBuilder().setNamespace(ns)
        .setSource(from).setDestination(to).setOverwrite(overwrite)).build();
  }

  static MasterCommand deleteNamespace(String ns) {
    return MasterCommand.newBuilder()
        .setDeleteNamespace(DeleteNamespaceOp.newBuilder().setNamespace(ns)).build();
  }

  static MasterCommand allocate(String ns, String path, int index, String handle,
      List<String> replicas, String primary, long expiryMs) {
    return MasterCommand.newBuilder().setAllocateChunk(AllocateChunkOp.newBuilder()
        .setNamespace(ns).setPath(path).setChunkIndex(index).setHandle(handle)
        .addAllReplicas(replicas).setPrimary(primary).setLeaseExpiryMs(expiryMs)).build();
  }

  static MasterCommand commit(String handle, long version, long length, boolean sealed) {
    return MasterCommand.newBuilder().setCommitChunks(CommitChunksOp.newBuilder()
        .addCommits(ChunkCommit.newBuilder().setHandle(handle).setVersion(version)
            .setCommittedLength(length).setSealed(sealed))).build();
  }

  static MasterCommand grant(String handle, String primary, long version, long expiryMs,
      List<String> replicas) {
    return MasterCommand.newBuilder().setGrantLease(GrantLeaseOp.newBuilder().setHandle(handle)
        .setPrimary(primary).setNewVersion(version).setLeaseExpiryMs(expiryMs)
        .addAllReplicas(replicas)).build();
  }

  static MasterCommand markStale(String handle, String server, long version) {
    return MasterCommand.newBuilder().setMarkStale(MarkStaleOp.newBuilder().setHandle(handle)
        .setServerId(server).setVersion(version)).build();
  }

  static MasterCommand addReplica(String handle, String server, long version) {
    return MasterCommand.newBuilder().setAddReplica(AddReplicaOp.newBuilder().setHandle(handle)
        .setServerId(server).setVersion(version)).build();
  }

  static MasterCommand removeReplica(String handle, String server) {
    return MasterCommand.newBuilder().setRemoveReplica(
        RemoveReplicaOp.newBuilder().setHandle(handle).setServerId(server)).build();
  }

  static MasterQuery getFile(String ns, String path) {
    return MasterQuery.newBuilder()
        .setGetFile(GetFileRequest.newBuilder().setNamespace(ns).setPath(path)).build();
  }

  static MasterQuery list(String ns, String path, boolean recursive, int pageSize,
      String token) {
    return MasterQuery.newBuilder().setListFiles(ListFilesRequest.newBuilder().setNamespace(ns)
        .setPath(path).setRecursive(recursive).setPageSize(pageSize).setPageToken(token))
        .build();
  }

  static MasterQuery locations(String ns, String path, int start, int max) {
    return MasterQuery.newBuilder().setChunkLocations(GetChunkLocationsRequest.newBuilder()
        .setNamespace(ns).setPath(path).setStartIndex(start).setMaxChunks(max)).build();
  }

  static MasterQuery namespaces() {
    return MasterQuery.newBuilder()
        .setListNamespaces(ListNamespacesRequest.getDefaultInstance()).build();
  }

  static MasterQuery chunk(String handle) {
    return MasterQuery.newBuilder().setChunk(ChunkQuery.newBuilder().setHandle(handle)).build();
  }

  static MasterQuery stats() {
    return MasterQuery.newBuilder().setStats(StatsQuery.getDefaultInstance()).build();
  }

  /** A deterministic canonical handle for test number n. */
  static String handle(long n) {
    return String.format("00000000-0000-4000-8000-%012x", n);
  }
}
