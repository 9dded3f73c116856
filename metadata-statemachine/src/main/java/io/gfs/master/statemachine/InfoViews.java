package io.gfs.master.statemachine;

import io.gfs.master.chunks.Chunk;
import io.gfs.master.namespace.DirNode;
import io.gfs.master.namespace.FileNode;
import io.gfs.master.namespace.Node;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.EntryType;
import io.gfs.proto.FileInfo;

/** Translates the internal nodes and chunks into their protobuf views (the edge). */
final class InfoViews {
  private InfoViews() {
  }

  static FileInfo file(String namespace, String path, Node node) {
    FileInfo.Builder b = FileInfo.newBuilder()
        .setNamespace(namespace)
        .setPath(path)
        .setCreatedMs(node.createdMs())
        .setModifiedMs(node.modifiedMs());
    if (node instanceof FileNode file) {
      b.setType(EntryType.FILE).setLength(file.length()).setChunkCount(file.chunkCount());
    } else if (node instanceof DirNode) {
      b.setType(EntryType.DIRECTORY);
    }
    return b.build();
  }

  /** Replicas carry only their server id; the services add addresses. */
  static ChunkInfo chunk(Chunk chunk) {
    ChunkInfo.Builder b = ChunkInfo.newBuilder()
        .setHandle(chunk.handle())
        .setIndex(chunk.index())
        .setVersion(chunk.version())
        .setCommittedLength(chunk.committedLength())
        .setSealed(chunk.sealed())
        .setPrimary(chunk.primary())
        .setLeaseExpiryMs(chunk.leaseExpiryMs());
    for (String r : chunk.replicas()) {
      b.addReplicas(ChunkLocation.newBuilder().setServerId(r));
    }
    return b.build();
  }
}
