package io.gfs.master.statemachine;

import com.google.protobuf.CodedInputStream;
import io.gfs.master.chunks.ChunkTable;
import io.gfs.master.namespace.DirNode;
import io.gfs.master.namespace.FileNode;
import io.gfs.master.namespace.FsPaths;
import io.gfs.master.namespace.NamespaceNames;
import io.gfs.master.namespace.NamespaceTree;
import io.gfs.master.namespace.Namespaces;
import io.gfs.proto.CheckpointChunk;
import io.gfs.proto.CheckpointEntry;
import io.gfs.proto.CheckpointHeader;
import io.gfs.proto.CheckpointNamespace;
import io.gfs.proto.CheckpointRecord;
import io.gfs.proto.EntryType;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * Reads a checkpoint back, verifying magic, format version, structure, counts and the CRC32C
 * trailer. Any problem is an IOException saying what is wrong; a half-read state is never
 * returned.
 */
final class CheckpointReader {
  /** What a checkpoint holds. */
  record Contents(Namespaces namespaces, ChunkTable chunks, long term, long index) {
  }

  /** A record is one namespace or one entry with its chunks; far below this in practice. */
  private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

  private CheckpointReader() {
  }

  static Contents read(InputStream in) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in, CheckpointFormat.BUFFER_BYTES);
    CheckedInputStream checked = new CheckedInputStream(buffered, new CRC32C());
    DataInputStream data = new DataInputStream(checked);
    byte[] magic = data.readNBytes(CheckpointFormat.MAGIC.length);
    if (!Arrays.equals(magic, CheckpointFormat.MAGIC)) {
      throw new IOException("not a GFS master checkpoint: bad magic");
    }
    int version;
    try {
      version = data.readInt();
    } catch (EOFException e) {
      throw new IOException("checkpoint truncated in its header", e);
    }
    if (version != CheckpointFormat.VERSION) {
      throw new IOException("unsupported checkpoint format version " + version
          + " (this master reads version " + CheckpointFormat.VERSION + ")");
    }
    Contents contents;
    try {
      contents = readBody(data);
    } catch (IOException | RuntimeException e) {
      throw new IOException("checkpoint is corrupt or truncated: " + e.getMessage(), e);
    }
    long expected = checked.getChecksum().getValue();
    byte[] trailer = buffered.readNBytes(4);
    if (trailer.length < 4) {
      throw new IOException("checkpoint truncated: checksum trailer missing");
    }
    long actual = ((trailer[0] & 0xffL) << 24) | ((trailer[1] & 0xffL) << 16)
        | ((trailer[2] & 0xffL) << 8) | (trailer[3] & 0xffL);
    if (actual != expected) {
      throw new IOException(String.format(
          "checkpoint checksum mismatch: stored %08x, computed %08x", actual, expected));
    }
    if (buffered.read() != -1) {
      throw new IOException("checkpoint has unexpected bytes after its checksum trailer");
    }
    return contents;
  }

  private static Contents readBody(InputStream in) throws IOException {
    CheckpointHeader header = CheckpointHeader.parseDelimitedFrom(in);
    if (header == null) {
      throw new IOException("header missing");
    }
    RecordStream recordStream = new RecordStream(in);
    Namespaces namespaces = new Namespaces();
    ChunkTable chunks = new ChunkTable();
    long records = header.getNamespaceCount() + header.getDirectoryCount()
        + header.getFileCount();
    NamespaceTree.Restorer current = null;
    String currentName = null;
    for (long r = 0; r < records; r++) {
      CheckpointRecord record = recordStream.next();
      if (record == null) {
        throw new IOException("ended after " + r + " of " + records + " records");
      }
      if (record.hasNamespace()) {
        CheckpointNamespace ns = record.getNamespace();
        if (!NamespaceNames.normalize(ns.getName()).equals(ns.getName())
            || currentName != null && currentName.compareTo(ns.getName()) >= 0) {
          throw new IOException("namespace out of order or invalid: " + ns.getName());
        }
        if (current != null) {
          current.finish();
        }
        NamespaceTree tree = new NamespaceTree(ns.getName(),
            new DirNode(ns.getRootCreatedMs(), ns.getRootModifiedMs()));
        namespaces.restore(tree);
        current = tree.restorer();
        currentName = ns.getName();
      } else if (record.hasEntry() && current != null) {
        CheckpointEntry entry = record.getEntry();
        String path = entry.getPath();
        if (!FsPaths.normalize(path).equals(path)) {
          throw new IOException("entry path not normalized: " + path);
        }
        restoreEntry(current, chunks, entry); // the restorer checks the order
      } else {
        throw new IOException("unexpected record " + record.getRecordCase());
      }
    }
    if (current != null) {
      current.finish();
    }
    if (namespaces.size() != header.getNamespaceCount()
        || namespaces.get(NamespaceNames.DEFAULT) == null
        || namespaces.fileCount() != header.getFileCount()
        || namespaces.directoryCount() != header.getDirectoryCount()
        || chunks.size() != header.getChunkCount()) {
      throw new IOException("counts do not match the header");
    }
    return new Contents(namespaces, chunks, header.getTerm(), header.getIndex());
  }

  /**
   * Length-delimited records read through one reused buffer. {@code parseDelimitedFrom} sets up
   * a fresh stream decoder with its own buffer for every record, which made loading a large
   * checkpoint several times slower than writing it. Reads exactly each record's bytes, so the
   * checksum trailer after the last record stays unread.
   */
  private static final class RecordStream {
    private final InputStream in;
    private byte[] buffer = new byte[256];

    RecordStream(InputStream in) {
      this.in = in;
    }

    /** The next record, or null at the end of the stream. */
    CheckpointRecord next() throws IOException {
      int first = in.read();
      if (first == -1) {
        return null;
      }
      int size = CodedInputStream.readRawVarint32(first, in);
      if (size < 0 || size > MAX_RECORD_BYTES) {
        throw new IOException("record length out of range: " + size);
      }
      if (size <= buffer.length) {
        if (in.readNBytes(buffer, 0, size) != size) {
          throw new EOFException("record truncated");
        }
      } else {
        // Grows only with bytes actually read: a corrupt length cannot make it allocate much.
        byte[] bigger = in.readNBytes(size);
        if (bigger.length != size) {
          throw new EOFException("record truncated");
        }
        buffer = bigger;
      }
      return CheckpointRecord.parseFrom(CodedInputStream.newInstance(buffer, 0, size));
    }
  }

  private static void restoreEntry(NamespaceTree.Restorer tree, ChunkTable chunks,
      CheckpointEntry e)
      throws IOException {
    if (e.getType() == EntryType.DIRECTORY) {
      if (e.getChunksCount() > 0) {
        throw new IOException("directory with chunks: " + e.getPath());
      }
      tree.add(e.getPath(), new DirNode(e.getCreatedMs(), e.getModifiedMs()));
      return;
    }
    if (e.getType() != EntryType.FILE) {
      throw new IOException("entry of unknown type: " + e.getPath());
    }
    FileNode file = new FileNode(e.getCreatedMs(), e.getModifiedMs());
    tree.add(e.getPath(), file);
    for (int i = 0; i < e.getChunksCount(); i++) {
      CheckpointChunk c = e.getChunks(i);
      file.appendChunk(chunks.restore(c.getHandle(), i, file, c.getVersion(),
          c.getCommittedLength(), c.getSealed(), c.getReplicasList(), c.getPrimary(),
          c.getLeaseExpiryMs()), e.getModifiedMs());
    }
  }
}
