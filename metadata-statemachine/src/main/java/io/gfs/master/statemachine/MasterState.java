package io.gfs.master.statemachine;

import io.gfs.master.MasterException;
import io.gfs.master.chunks.Chunk;
import io.gfs.master.chunks.ChunkTable;
import io.gfs.master.namespace.Namespaces;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.MasterResult;
import io.gfs.proto.StatsResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The master's replicated metadata: namespaces, directories, files, chunks. A pure, in-memory,
 * deterministic state: {@link #apply} is a function of (state, index, command) with no clock,
 * random source or I/O. Thread-safe: apply takes a write lock, queries a read lock.
 *
 * <p>CONTRACT (the Ratis adapter and the services code against it):
 * <ul>
 *   <li>{@code apply} never throws for a command that is merely invalid in the current state
 *       (file exists, not found, ...): it returns a {@link MasterResult} with a non-zero gRPC code
 *       and changes nothing. It throws {@link IllegalStateException} only when an invariant is
 *       broken, which must stop the master — including a log index that does not increase, and
 *       a command this build does not know (written by a newer master: applying it as an error
 *       would let this replica diverge).</li>
 *   <li>A {@code Batch} applies its commands in order, each exactly as if it were its own entry
 *       (one failing changes nothing and does not stop the others); its result lists theirs.</li>
 *   <li>{@code query} answers {@link MasterQuery}s; results carry gRPC codes the same way.</li>
 *   <li>Checkpoints are a versioned protobuf stream with a CRC32C trailer (layout in
 *       gfs_checkpoint.proto); two states built by the same command sequence write
 *       byte-identical checkpoints.</li>
 * </ul>
 *
 * <p>Semantics in brief (details on {@link io.gfs.master.namespace.NamespaceTree},
 * {@link ChunkTable}): paths and namespace names are validated by
 * {@link io.gfs.master.namespace.FsPaths} and {@link io.gfs.master.namespace.NamespaceNames},
 * which the services call before proposing; apply checks again because the log is input too.
 * Directories are real (mkdir, mkdir -p, empty directories list as empty); creating a file or
 * renaming creates missing parents; directory modified times change when entries are added or
 * removed. Stats count directories without the namespaces' roots.
 *
 * <p>What each command's OK result carries:
 * <ul>
 *   <li>CreateFile, Mkdir: {@code file} (mkdir -p of an existing directory returns it as is).</li>
 *   <li>Delete, DeleteNamespace: {@code count} = entries removed (the root is never counted).</li>
 *   <li>Rename: {@code file} at the destination. Renaming a path to itself is an OK no-op; an
 *       existing destination directory is never replaced, and a directory never replaces a
 *       file (ALREADY_EXISTS).</li>
 *   <li>AllocateChunk: {@code chunk} and {@code file}; for an index below the chunk count the
 *       existing chunk, unchanged (its arguments are still validated).</li>
 *   <li>CommitChunks: {@code count} = chunks whose length advanced or that became sealed.</li>
 *   <li>GrantLease: {@code chunk}. An extension never shortens the expiry and keeps the replica
 *       list; a new grant replaces primary, version, expiry and replicas.</li>
 *   <li>MarkStale, AddReplica, RemoveReplica: {@code chunk} and {@code count} = 1 when the
 *       replica list changed, 0 when the report was ignored (old version, already there, ...).
 *       AddReplica is also ignored while a lease may be in force at the command's timestamp:
 *       a primary would not know the new replica, which would then miss its commits.
 *       A stale primary keeps its lease entry: a lease cannot be revoked early, and the next
 *       grant bumps the version, which fences it.</li>
 * </ul>
 * GetChunkLocations ignores {@code for_write} (the service handles leases) and leaves
 * {@code chunk_size} 0 for the service to fill.
 */
public final class MasterState {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  // Guarded by lock: everything below.
  private final Namespaces namespaces;
  private final ChunkTable chunks;
  private final CommandApplier applier;
  private final QueryAnswerer answerer;
  private long lastAppliedIndex;

  public MasterState() {
    this(new Namespaces(), new ChunkTable(), 0);
  }

  private MasterState(Namespaces namespaces, ChunkTable chunks, long lastAppliedIndex) {
    this.namespaces = namespaces;
    this.chunks = chunks;
    this.applier = new CommandApplier(namespaces, chunks);
    this.answerer = new QueryAnswerer(namespaces, chunks);
    this.lastAppliedIndex = lastAppliedIndex;
  }

  /**
   * Applies one committed command at Raft log index {@code logIndex}, which must be greater than
   * any index applied before (the log is the order; LESSONS #3).
   */
  public MasterResult apply(long logIndex, MasterCommand command) {
    lock.writeLock().lock();
    try {
      if (logIndex <= lastAppliedIndex) {
        throw new IllegalStateException("log index does not increase index=" + logIndex
            + " lastApplied=" + lastAppliedIndex);
      }
      lastAppliedIndex = logIndex;
      if (command.getOpCase() != MasterCommand.OpCase.BATCH) {
        return applyOne(command);
      }
      MasterResult.Builder results = MasterResult.newBuilder();
      for (MasterCommand c : command.getBatch().getCommandsList()) {
        results.addBatch(applyOne(c));
      }
      return results.build();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private MasterResult applyOne(MasterCommand command) {
    try {
      return applier.apply(command);
    } catch (MasterException e) {
      return MasterResult.newBuilder()
          .setCode(e.code().value())
          .setMessage(e.getMessage())
          .build();
    }
  }

  /** Answers a read-only query against the current state. */
  public MasterQueryResult query(MasterQuery query) {
    lock.readLock().lock();
    try {
      return answerer.answer(query);
    } catch (MasterException e) {
      return MasterQueryResult.newBuilder()
          .setCode(e.code().value())
          .setMessage(e.getMessage())
          .build();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The index of the last command applied (or of the checkpoint this state was loaded from). */
  public long lastAppliedIndex() {
    lock.readLock().lock();
    try {
      return lastAppliedIndex;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The chunk with this handle, if the table has it (replicas carry only server ids). */
  public Optional<ChunkInfo> chunk(String handle) {
    lock.readLock().lock();
    try {
      Chunk c = chunks.get(handle);
      return c == null ? Optional.empty() : Optional.of(InfoViews.chunk(c));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The known chunks among {@code handles}, under one lock acquisition (for heartbeats: a
   * reported handle missing from the answer is an orphan to garbage-collect).
   */
  public Map<String, ChunkInfo> chunks(Collection<String> handles) {
    lock.readLock().lock();
    try {
      Map<String, ChunkInfo> out = new LinkedHashMap<>();
      for (String h : handles) {
        Chunk c = chunks.get(h);
        if (c != null) {
          out.put(h, InfoViews.chunk(c));
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Up to {@code limit} chunks with fewer than {@code target} up-to-date replicas, fewest
   * replicas first (most endangered first), then by handle (for re-replication planning).
   */
  public List<ChunkInfo> underReplicatedChunks(int target, int limit) {
    lock.readLock().lock();
    try {
      List<Chunk> found = new ArrayList<>();
      for (Chunk c : chunks.all()) {
        if (c.replicas().size() < target) {
          found.add(c);
        }
      }
      found.sort((a, b) -> a.replicas().size() != b.replicas().size()
          ? Integer.compare(a.replicas().size(), b.replicas().size())
          : a.handle().compareTo(b.handle()));
      List<ChunkInfo> out = new ArrayList<>();
      for (int i = 0; i < found.size() && i < limit; i++) {
        out.add(InfoViews.chunk(found.get(i)));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Up to {@code limit} chunks that pass {@code test},
   * under one read-lock acquisition. {@code test} runs under the lock: it must be quick and do
   * no I/O (for re-replication planning and replica accounting, which look at soft state).
   */
  public List<ChunkInfo> chunksWhere(Predicate<Chunk> test, int limit) {
    lock.readLock().lock();
    try {
      List<ChunkInfo> out = new ArrayList<>();
      for (Chunk c : chunks.all()) {
        if (out.size() >= limit) {
          break;
        }
        if (test.test(c)) {
          out.add(InfoViews.chunk(c));
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** How many chunks pass {@code test}; the same rules as {@link #chunksWhere}. */
  public long countChunksWhere(Predicate<Chunk> test) {
    lock.readLock().lock();
    try {
      long n = 0;
      for (Chunk c : chunks.all()) {
        if (test.test(c)) {
          n++;
        }
      }
      return n;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Counts of namespaces, directories (without roots), files and chunks. */
  public StatsResult stats() {
    return query(MasterQuery.newBuilder()
        .setStats(io.gfs.proto.StatsQuery.getDefaultInstance()).build()).getStats();
  }

  /**
   * Writes the whole state; {@code lastAppliedTerm} and {@code lastAppliedIndex} are recorded in
   * the header. Holds the read lock while streaming (applies wait), so callers should write to a
   * local temp file, not a network stream.
   */
  public void writeCheckpoint(OutputStream out, long lastAppliedTerm, long lastAppliedIndex)
      throws IOException {
    lock.readLock().lock();
    try {
      CheckpointWriter.write(out, namespaces, chunks, lastAppliedTerm, lastAppliedIndex);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Reads a checkpoint written by {@link #writeCheckpoint}, verifying format version and checksum. */
  public static LoadedCheckpoint readCheckpoint(InputStream in) throws IOException {
    CheckpointReader.Contents c = CheckpointReader.read(in);
    return new LoadedCheckpoint(new MasterState(c.namespaces(), c.chunks(), c.index()),
        c.term(), c.index());
  }

  /** A state restored from a checkpoint, with the log position it reflects. */
  public record LoadedCheckpoint(MasterState state, long term, long index) {
  }
}
