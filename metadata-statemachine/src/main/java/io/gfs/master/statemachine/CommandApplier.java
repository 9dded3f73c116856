package io.gfs.master.statemachine;

import io.gfs.master.MasterException;
import io.gfs.master.chunks.Chunk;
import io.gfs.master.chunks.ChunkHandles;
import io.gfs.master.chunks.ChunkTable;
import io.gfs.master.namespace.DirNode;
import io.gfs.master.namespace.FileNode;
import io.gfs.master.namespace.FsPaths;
import io.gfs.master.namespace.NamespaceNames;
import io.gfs.master.namespace.NamespaceTree;
import io.gfs.master.namespace.Namespaces;
import io.gfs.master.namespace.Node;
import io.gfs.proto.AllocateChunkOp;
import io.gfs.proto.ChunkCommit;
import io.gfs.proto.CommitChunksOp;
import io.gfs.proto.GrantLeaseOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterResult;
import io.gfs.proto.RenameOp;
import io.grpc.Status;
import java.util.function.Consumer;

/**
 * Applies one command to the metadata. Every check happens before the first change, so a thrown
 * {@link MasterException} means nothing changed. Not thread-safe: the caller holds the write lock.
 */
final class CommandApplier {
  private final Namespaces namespaces;
  private final ChunkTable chunks;
  private final Consumer<FileNode> dropChunks;

  CommandApplier(Namespaces namespaces, ChunkTable chunks) {
    this.namespaces = namespaces;
    this.chunks = chunks;
    // Chunks of deleted or replaced files leave the table; chunkservers' copies become orphans
    // that garbage collection removes after the next heartbeat (GFS §4.4).
    this.dropChunks = file -> {
      for (Chunk c : file.chunks()) {
        chunks.remove(c);
      }
    };
  }

  MasterResult apply(MasterCommand command) {
    long ts = command.getTimestampMs();
    return switch (command.getOpCase()) {
      case CREATE_FILE -> {
        String ns = NamespaceNames.normalize(command.getCreateFile().getNamespace());
        String path = FsPaths.normalize(command.getCreateFile().getPath());
        FileNode file = namespaces.createIn(ns, ts, t -> t.createFile(path, ts));
        yield fileResult(ns, path, file);
      }
      case MKDIR -> {
        String ns = NamespaceNames.normalize(command.getMkdir().getNamespace());
        String path = FsPaths.normalize(command.getMkdir().getPath());
        boolean parents = command.getMkdir().getParents();
        DirNode dir = namespaces.createIn(ns, ts, t -> t.mkdir(path, parents, ts));
        yield fileResult(ns, path, dir);
      }
      case DELETE -> {
        String ns = NamespaceNames.normalize(command.getDelete().getNamespace());
        String path = FsPaths.normalize(command.getDelete().getPath());
        long n = namespaces.existing(ns)
            .delete(path, command.getDelete().getRecursive(), ts, dropChunks);
        yield MasterResult.newBuilder().setCount(n).build();
      }
      case RENAME -> rename(command.getRename(), ts);
      case DELETE_NAMESPACE -> {
        String ns = NamespaceNames.normalize(command.getDeleteNamespace().getNamespace());
        yield MasterResult.newBuilder().setCount(namespaces.delete(ns, dropChunks)).build();
      }
      case ALLOCATE_CHUNK -> allocate(command.getAllocateChunk(), ts);
      case COMMIT_CHUNKS -> commit(command.getCommitChunks(), ts);
      case GRANT_LEASE -> {
        GrantLeaseOp op = command.getGrantLease();
        Chunk c = chunks.grantLease(op.getHandle(), op.getPrimary(),
            nonNegative(op.getNewVersion(), "version"), op.getLeaseExpiryMs(),
            op.getReplicasList());
        yield MasterResult.newBuilder().setChunk(InfoViews.chunk(c)).build();
      }
      case MARK_STALE -> {
        var op = command.getMarkStale();
        boolean changed = chunks.markStale(op.getHandle(), op.getServerId(),
            nonNegative(op.getVersion(), "version"));
        yield chunkResult(op.getHandle(), changed);
      }
      case ADD_REPLICA -> {
        var op = command.getAddReplica();
        boolean changed = chunks.addReplica(op.getHandle(), op.getServerId(),
            nonNegative(op.getVersion(), "version"), command.getTimestampMs());
        yield chunkResult(op.getHandle(), changed);
      }
      case REMOVE_REPLICA -> {
        var op = command.getRemoveReplica();
        yield chunkResult(op.getHandle(), chunks.removeReplica(op.getHandle(), op.getServerId()));
      }
      // The leader's startTransaction refuses both, so here they come from a newer master.
      case BATCH -> throw new IllegalStateException("a batch inside a batch");
      case OP_NOT_SET -> throw new IllegalStateException("a command with an operation this master"
          + " does not know (written by a newer version?): " + command);
    };
  }

  private MasterResult rename(RenameOp op, long ts) {
    String ns = NamespaceNames.normalize(op.getNamespace());
    String source = FsPaths.normalize(op.getSource());
    String destination = FsPaths.normalize(op.getDestination());
    Node moved = namespaces.existing(ns)
        .rename(source, destination, op.getOverwrite(), ts, dropChunks);
    return fileResult(ns, destination, moved);
  }

  private MasterResult allocate(AllocateChunkOp op, long ts) {
    String ns = NamespaceNames.normalize(op.getNamespace());
    String path = FsPaths.normalize(op.getPath());
    ChunkTable.checkNewArguments(op.getHandle(), op.getReplicasList(), op.getPrimary(),
        op.getLeaseExpiryMs());
    int index = op.getChunkIndex();
    if (index < 0) {
      throw MasterException.invalidArgument("chunk index is too large: "
          + Integer.toUnsignedString(index));
    }
    FileNode file = existingFile(namespaces.existing(ns), path);
    if (index < file.chunkCount()) {
      // Another appender allocated it first: hand out that chunk unchanged.
      return chunkResult(ns, path, file, file.chunk(index));
    }
    if (index > file.chunkCount()) {
      throw MasterException.invalidArgument("chunk index " + index + " is beyond the next one ("
          + file.chunkCount() + ") of " + path);
    }
    Chunk chunk = chunks.add(op.getHandle(), index, file, op.getReplicasList(), op.getPrimary(),
        op.getLeaseExpiryMs());
    file.appendChunk(chunk, ts);
    return chunkResult(ns, path, file, chunk);
  }

  private MasterResult commit(CommitChunksOp op, long ts) {
    for (ChunkCommit c : op.getCommitsList()) {
      ChunkHandles.validate(c.getHandle());
      nonNegative(c.getVersion(), "version");
      nonNegative(c.getCommittedLength(), "committed length");
    }
    long changed = 0;
    for (ChunkCommit c : op.getCommitsList()) {
      if (chunks.commit(c.getHandle(), c.getVersion(), c.getCommittedLength(), c.getSealed(),
          ts)) {
        changed++;
      }
    }
    return MasterResult.newBuilder().setCount(changed).build();
  }

  static FileNode existingFile(NamespaceTree tree, String path) {
    Node node = tree.get(path);
    if (node == null) {
      throw MasterException.notFound("no such file: " + path);
    }
    if (!(node instanceof FileNode file)) {
      throw new MasterException(Status.Code.FAILED_PRECONDITION, "not a file: " + path);
    }
    return file;
  }

  /** uint64 fields above Long.MAX_VALUE arrive negative: reject them rather than wrap. */
  static long nonNegative(long value, String what) {
    if (value < 0) {
      throw MasterException.invalidArgument(what + " is out of range: "
          + Long.toUnsignedString(value));
    }
    return value;
  }

  private static MasterResult fileResult(String ns, String path, Node node) {
    return MasterResult.newBuilder().setFile(InfoViews.file(ns, path, node)).build();
  }

  private static MasterResult chunkResult(String ns, String path, FileNode file, Chunk chunk) {
    return MasterResult.newBuilder()
        .setFile(InfoViews.file(ns, path, file))
        .setChunk(InfoViews.chunk(chunk))
        .build();
  }

  private MasterResult chunkResult(String handle, boolean changed) {
    return MasterResult.newBuilder()
        .setChunk(InfoViews.chunk(chunks.get(handle)))
        .setCount(changed ? 1 : 0)
        .build();
  }
}
