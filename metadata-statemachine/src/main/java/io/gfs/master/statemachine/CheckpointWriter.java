package io.gfs.master.statemachine;

import io.gfs.master.chunks.Chunk;
import io.gfs.master.chunks.ChunkTable;
import io.gfs.master.namespace.FileNode;
import io.gfs.master.namespace.NamespaceTree;
import io.gfs.master.namespace.Namespaces;
import io.gfs.master.namespace.Node;
import io.gfs.proto.CheckpointChunk;
import io.gfs.proto.CheckpointEntry;
import io.gfs.proto.CheckpointHeader;
import io.gfs.proto.CheckpointNamespace;
import io.gfs.proto.CheckpointRecord;
import io.gfs.proto.EntryType;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Streams the metadata as a checkpoint: one small record per namespace and per entry, so memory
 * stays flat however many files there are. Everything is written in sorted order, and protobuf
 * serialization of these messages is deterministic, so equal states give equal bytes.
 */
final class CheckpointWriter {
  private CheckpointWriter() {
  }

  static void write(OutputStream out, Namespaces namespaces, ChunkTable chunks, long term,
      long index) throws IOException {
    BufferedOutputStream buffered = new BufferedOutputStream(out, CheckpointFormat.BUFFER_BYTES);
    CRC32C crc = new CRC32C();
    DataOutputStream data = new DataOutputStream(new CheckedOutputStream(buffered, crc));
    data.write(CheckpointFormat.MAGIC);
    data.writeInt(CheckpointFormat.VERSION);
    CheckpointHeader.newBuilder()
        .setTerm(term)
        .setIndex(index)
        .setNamespaceCount(namespaces.size())
        .setDirectoryCount(namespaces.directoryCount())
        .setFileCount(namespaces.fileCount())
        .setChunkCount(chunks.size())
        .build()
        .writeDelimitedTo(data);
    for (NamespaceTree tree : namespaces.all()) {
      CheckpointRecord.newBuilder().setNamespace(CheckpointNamespace.newBuilder()
              .setName(tree.name())
              .setRootCreatedMs(tree.root().createdMs())
              .setRootModifiedMs(tree.root().modifiedMs()))
          .build()
          .writeDelimitedTo(data);
      for (Map.Entry<String, Node> e : tree.entries().entrySet()) {
        CheckpointRecord.newBuilder().setEntry(entry(e.getKey(), e.getValue()))
            .build()
            .writeDelimitedTo(data);
      }
    }
    data.flush();
    // The trailer covers everything before it, so it bypasses the checksum stream.
    int checksum = (int) crc.getValue();
    buffered.write(checksum >>> 24);
    buffered.write(checksum >>> 16);
    buffered.write(checksum >>> 8);
    buffered.write(checksum);
    buffered.flush();
  }

  private static CheckpointEntry entry(String path, Node node) {
    CheckpointEntry.Builder b = CheckpointEntry.newBuilder()
        .setPath(path)
        .setCreatedMs(node.createdMs())
        .setModifiedMs(node.modifiedMs());
    if (node instanceof FileNode file) {
      b.setType(EntryType.FILE);
      for (int i = 0; i < file.chunkCount(); i++) {
        Chunk c = file.chunk(i);
        b.addChunks(CheckpointChunk.newBuilder()
            .setHandle(c.handle())
            .setVersion(c.version())
            .setCommittedLength(c.committedLength())
            .setSealed(c.sealed())
            .addAllReplicas(c.replicas())
            .setPrimary(c.primary())
            .setLeaseExpiryMs(c.leaseExpiryMs()));
      }
    } else {
      b.setType(EntryType.DIRECTORY);
    }
    return b.build();
  }
}
