package io.gfs.chunkserver.storage;

import io.gfs.chunkserver.dataplane.ChunkException;
import io.gfs.chunkserver.dataplane.ChunkException.Code;
import io.gfs.chunkserver.dataplane.ChunkOperations.ReadRegion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The chunk replicas of one chunkserver: {@code <dataDir>/chunks/<handle>.chunk} (bytes) and
 * {@code <handle>.meta} (version, committed length and sequence, sealed, block CRCs), and
 * {@code <dataDir>/staging/} for in-flight mutations. Only validated handles become file names;
 * nothing outside the data directory is touched.
 */
public final class ChunkStore {
  /**
   * Small commits extend a chunk's data file this far ahead of them with zeros (see
   * StoredChunk), so a replica keeps taking commits within that much after its disk fills.
   */
  public static final int PREALLOCATE_STEP = StoredChunk.PREALLOCATE_STEP;

  private static final Logger LOG = LogManager.getLogger(ChunkStore.class);
  private static final int PEER_READ_MAX = 1 << 20;
  /** Stages up to this size are held in memory (see StageFile), within the budget below. */
  static final int STAGE_IN_MEMORY_MAX_BYTES = 64 * 1024;
  static final long STAGED_IN_MEMORY_BUDGET_BYTES = 32L << 20;

  private final String nodeId;
  private final Path chunksDir;
  private final Path stagingDir;
  private final Map<String, StoredChunk> chunks = new ConcurrentHashMap<>();
  /**
   * Most chunks that keep their files open between commits (two descriptors each); beyond it the
   * least recently written one closes them. A client appending to one chunk reuses its files;
   * far more chunks than this written at once would reopen theirs, as every commit used to.
   */
  static final int OPEN_CHUNKS_MAX = 64;
  /**
   * Guarded by itself: the chunks that may have files open, least recently written first. A
   * chunk with open files is in it or is being written right now (and enters it after).
   */
  private final LinkedHashMap<String, StoredChunk> recentlyWritten =
      new LinkedHashMap<>(16, 0.75f, true);
  /** Bytes held by open in-memory stages (bounded by STAGED_IN_MEMORY_BUDGET_BYTES). */
  private final AtomicLong stagedInMemory = new AtomicLong();
  /**
   * Found once: looking a file store up reads the whole mount table, far too slow for the
   * free-space check that every write makes; asking a known one for its space is one statvfs.
   */
  private FileStore stagingFileStore; // set by open(), before the store is shared
  private FileStore chunksFileStore; // likewise; asked for space on every heartbeat
  /** Alignment of direct I/O in the chunk directory, 0 without it; set by open(). */
  private int directAlignment;
  /** Alignment of direct reads of large uncached regions, 0 without them; set by open(). */
  private int directReadAlignment;
  private final Object[] createLocks = new Object[64];
  private volatile CorruptionListener corruptionListener = (handle, version, detail) -> { };

  /** Told when a replica's bytes do not match their checksums (to report it CORRUPT). */
  @FunctionalInterface
  public interface CorruptionListener {
    void corrupt(String handle, long version, String detail);
  }

  private ChunkStore(String nodeId, Path dataDir) {
    this.nodeId = nodeId;
    this.chunksDir = dataDir.resolve("chunks");
    this.stagingDir = dataDir.resolve("staging");
    for (int i = 0; i < createLocks.length; i++) {
      createLocks[i] = new Object();
    }
  }

  /**
   * Opens the store: drops staging, trusts only each chunk's metadata, truncates data beyond the
   * committed length, and rebuilds the inventory. Committed lengths are never reset (LESSONS #5).
   */
  public static ChunkStore open(String nodeId, Path dataDir) throws IOException {
    return open(nodeId, dataDir, true, true);
  }

  /**
   * As {@link #open(String, Path)}; with {@code directWrites} false, large WRITEs staged in place
   * go through the page cache even where direct I/O works; with {@code directReads} false, so do
   * large reads of data the page cache does not hold.
   */
  public static ChunkStore open(String nodeId, Path dataDir, boolean directWrites,
      boolean directReads) throws IOException {
    ChunkStore store = new ChunkStore(nodeId, dataDir.toAbsolutePath().normalize());
    Files.createDirectories(store.chunksDir);
    Files.createDirectories(store.stagingDir);
    store.stagingFileStore = Files.getFileStore(store.stagingDir);
    store.chunksFileStore = Files.getFileStore(store.chunksDir);
    store.dropStaging();
    store.load();
    int alignment = directWrites || directReads ? DirectWriter.probe(store.chunksDir) : 0;
    store.directAlignment = directWrites ? alignment : 0;
    store.directReadAlignment = directReads && DirectReader.available() ? alignment : 0;
    if (alignment > 0) {
      LOG.info("{} direct I/O available ({}-byte alignment): direct-writes={} direct-reads={}"
          + " (those on bypass the page cache for chunk writes, and for reads of data it does not"
          + " hold, of {} MiB or more)", nodeId, alignment, store.directAlignment > 0,
          store.directReadAlignment > 0, DirectWriter.MIN_BYTES >> 20);
    } else if (directWrites || directReads) {
      LOG.info("{} direct I/O is not available in {}: chunk writes and reads go through the page"
          + " cache", nodeId, store.chunksDir);
    }
    return store;
  }

  private void dropStaging() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(stagingDir)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
  }

  private void load() throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(chunksDir)) {
      files.forEach(entries::add);
    }
    for (Path f : entries) {
      String name = f.getFileName().toString();
      if (name.endsWith(".tmp")) {
        Files.deleteIfExists(f);
      } else if (name.endsWith(".meta")) {
        loadChunk(name.substring(0, name.length() - ".meta".length()));
      }
    }
    for (Path f : entries) {
      String name = f.getFileName().toString();
      if (name.endsWith(".chunk") && !chunks.containsKey(name.substring(0, name.length() - 6))
          && !Files.exists(f.resolveSibling(name.replace(".chunk", ".meta")))) {
        // created but never described by metadata: nothing was ever acknowledged from it
        Files.deleteIfExists(f);
      }
    }
    LOG.info("{} chunk store opened dir={} chunks={}", nodeId, chunksDir.getParent(),
        chunks.size());
  }

  private void loadChunk(String handle) throws IOException {
    if (!ChunkHandles.isValid(handle)) {
      LOG.warn("{} ignoring unexpected file in chunk dir name={}", nodeId, handle);
      return;
    }
    Path meta = metaPath(handle);
    Path data = dataPath(handle);
    ChunkMetaFile.Loaded loaded;
    try {
      loaded = ChunkMetaFile.open(meta);
    } catch (IOException e) {
      // a corrupt replica: left out of the inventory, so the master re-replicates the chunk
      LOG.error("{} unreadable chunk metadata, chunk not reported chunk={} error={}", nodeId,
          handle, e.getMessage());
      return;
    }
    ChunkMeta m = loaded.meta();
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      restoreTail(handle, ch, m, loaded.tail());
      long size = ch.size();
      if (size < m.committedLength()) {
        LOG.error("{} chunk data shorter than committed length, chunk not reported chunk={}"
            + " size={} committed={}", nodeId, handle, size, m.committedLength());
        return;
      }
      if (size > m.committedLength()) {
        ch.truncate(m.committedLength());
        ch.force(true);
        // zeros from preallocation, or a commit's bytes written before a crash cut it short
        LOG.info("{} data file cut back to the committed length chunk={} from={} to={}", nodeId,
            handle, size, m.committedLength());
      }
    }
    chunks.put(handle, new StoredChunk(handle, data, loaded.file(), m));
  }

  /**
   * Gives the data file the last committed bytes that the metadata carries (its tail): a crash
   * may have lost them from the data file, which is fdatasynced only every few small commits.
   * Below the tail the data file is durable. Writes only when the file differs.
   */
  private void restoreTail(String handle, FileChannel ch, ChunkMeta m, byte[] tail)
      throws IOException {
    long from = m.committedLength() - tail.length;
    long size = ch.size();
    if (tail.length == 0 || size < from) {
      return; // nothing to give back, or a data file shorter than its durable part: see below
    }
    if (size >= m.committedLength()) {
      ByteBuffer onDisk = ByteBuffer.allocate(tail.length);
      FileChannels.readFully(ch, onDisk, from);
      if (Arrays.equals(onDisk.array(), tail)) {
        return;
      }
    }
    FileChannels.writeFully(ch, ByteBuffer.wrap(tail), from);
    ch.force(false);
    LOG.info("{} last commits restored from the metadata chunk={} offset={} bytes={}", nodeId,
        handle, from, tail.length);
  }

  Path dataPath(String handle) {
    return chunksDir.resolve(ChunkHandles.require(handle) + ".chunk");
  }

  Path metaPath(String handle) {
    return chunksDir.resolve(ChunkHandles.require(handle) + ".meta");
  }

  public void onCorruption(CorruptionListener listener) {
    this.corruptionListener = listener;
  }

  public Optional<ChunkMeta> state(String handle) {
    StoredChunk c = chunks.get(ChunkHandles.require(handle));
    return c == null ? Optional.empty() : Optional.of(c.meta());
  }

  /** The chunk's replica; NOT_FOUND when this server holds none. */
  private StoredChunk require(String handle) {
    StoredChunk c = chunks.get(ChunkHandles.require(handle));
    if (c == null) {
      throw new ChunkException(Code.NOT_FOUND, "no replica of chunk " + handle);
    }
    return c;
  }

  /** Creates an empty replica at {@code version} if none exists; returns its state. */
  public ChunkMeta createIfAbsent(String handle, long version) {
    ChunkHandles.require(handle);
    StoredChunk existing = chunks.get(handle);
    if (existing != null) {
      return existing.meta();
    }
    // one creator per handle; a striped lock so creating one chunk never waits on another's I/O
    synchronized (createLocks[Math.floorMod(handle.hashCode(), createLocks.length)]) {
      existing = chunks.get(handle);
      if (existing != null) {
        return existing.meta();
      }
      try {
        ChunkMeta m = ChunkMeta.empty(version);
        ChunkMetaFile metaFile = ChunkMetaFile.create(metaPath(handle), m);
        try (FileChannel ch = FileChannel.open(dataPath(handle), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        // creating a chunk needs the directory fsync; its metadata updates are in place after
        ChunkMetaFile.fsyncDirectory(chunksDir);
        chunks.put(handle, new StoredChunk(handle, dataPath(handle), metaFile, m));
        return m;
      } catch (IOException e) {
        throw translate("create chunk", e);
      }
    }
  }

  /**
   * Whether a stage of {@code length} bytes would be held in memory if opened now (a hint: a
   * concurrent opening may take the last of the budget first).
   */
  public boolean canStageInMemory(long length) {
    return smallEnoughForMemory(length)
        && stagedInMemory.get() + length <= STAGED_IN_MEMORY_BUDGET_BYTES;
  }

  private static boolean smallEnoughForMemory(long length) {
    return length >= 0 && length <= STAGE_IN_MEMORY_MAX_BYTES;
  }

  /** Opens a stage for a record append; see the overload. */
  public StageFile openStage(String handle, long version, long stageId, long length, int crc) {
    return openStage(handle, version, stageId, length, crc, -1);
  }

  /**
   * Opens a stage for one mutation; the caller closes it. A small one is held in memory (within
   * a budget). A larger WRITE whose {@code requestedOffset} is this replica's committed length
   * is staged in place, in the chunk file beyond the committed length (one stage per chunk at a
   * time), so its commit copies nothing; anything else gets a staging file.
   */
  public StageFile openStage(String handle, long version, long stageId, long length, int crc,
      long requestedOffset) {
    ChunkHandles.require(handle);
    if (!smallEnoughForMemory(length) && requestedOffset >= 0) {
      StoredChunk chunk = chunks.get(handle);
      StageFile inPlace = chunk == null ? null
          : chunk.tryStageInPlace(version, stageId, requestedOffset, length, crc,
              directAlignment);
      if (inPlace != null) {
        return inPlace;
      }
    }
    if (smallEnoughForMemory(length)) {
      if (stagedInMemory.addAndGet(length) <= STAGED_IN_MEMORY_BUDGET_BYTES) {
        return StageFile.inMemory(handle, version, stageId, (int) length, crc,
            () -> stagedInMemory.addAndGet(-length));
      }
      stagedInMemory.addAndGet(-length); // over budget: this one goes to a file
    }
    Path p = stagingDir.resolve(handle + "-v" + version + "-s" + stageId + ".stage");
    try {
      return new StageFile(p, handle, version, stageId, length, crc);
    } catch (IOException e) {
      throw translate("open stage", e);
    }
  }

  /** Makes a completed stage part of the chunk at {@code offset} as mutation {@code sequence}. */
  public ChunkMeta commitStage(StageFile stage, long offset, long sequence) {
    if (!stage.isComplete()) {
      throw new IllegalStateException("committing an incomplete stage");
    }
    StoredChunk chunk = require(stage.handle());
    try {
      return chunk.extendFromStage(stage, offset, sequence);
    } finally {
      wrote(chunk);
    }
  }

  /** Appends committed bytes copied from a peer (recovery, re-replication). */
  public ChunkMeta appendCommitted(String handle, long offset, ByteBuffer bytes, long sequence) {
    StoredChunk chunk = require(handle);
    try {
      return chunk.extendWithBytes(bytes, offset, sequence, directAlignment);
    } finally {
      wrote(chunk);
    }
  }

  /** Raises the chunk version (never lowers it), creating the replica if needed. */
  public ChunkMeta setVersion(String handle, long version) {
    createIfAbsent(handle, version);
    StoredChunk chunk = require(handle);
    try {
      return chunk.update(m -> m.version() >= version ? m : m.withVersion(version));
    } finally {
      wrote(chunk);
    }
  }

  /**
   * After a mutation of {@code chunk} (which may have left its files open): makes it the most
   * recently written, and closes the files of the least recently written one past
   * {@link #OPEN_CHUNKS_MAX}. That one's lock is only tried, never waited for, and never while
   * holding another: a chunk being written right now stays open and goes back to the end.
   */
  private void wrote(StoredChunk chunk) {
    StoredChunk eldest = null;
    synchronized (recentlyWritten) {
      if (chunks.get(chunk.handle()) != chunk) {
        return; // deleted meanwhile: its files are closed and gone (and never reopened)
      }
      recentlyWritten.put(chunk.handle(), chunk);
      if (recentlyWritten.size() > OPEN_CHUNKS_MAX) {
        Iterator<StoredChunk> it = recentlyWritten.values().iterator();
        eldest = it.next();
        it.remove();
      }
    }
    if (eldest != null && !eldest.tryCloseFiles()) {
      synchronized (recentlyWritten) {
        recentlyWritten.putIfAbsent(eldest.handle(), eldest);
      }
    }
  }

  /** How many chunks have files open now (at most {@link #OPEN_CHUNKS_MAX} when idle). */
  int chunksWithOpenFiles() {
    int n = 0;
    for (StoredChunk c : chunks.values()) {
      n += c.hasOpenFiles() ? 1 : 0;
    }
    return n;
  }

  /**
   * Closes the files that commits left open (at shutdown; a later commit would open them again).
   * Every commit that returned was durable before, so this loses nothing.
   */
  public void close() {
    List<StoredChunk> open;
    synchronized (recentlyWritten) {
      open = new ArrayList<>(recentlyWritten.values());
      recentlyWritten.clear();
    }
    for (StoredChunk c : open) {
      c.closeFiles();
    }
  }

  public ChunkMeta seal(String handle) {
    return require(handle).seal();
  }

  public void delete(String handle) {
    StoredChunk c = chunks.remove(ChunkHandles.require(handle));
    if (c != null) {
      synchronized (recentlyWritten) {
        recentlyWritten.remove(handle, c);
      }
      try {
        c.deleteFiles();
      } catch (IOException e) {
        throw translate("delete chunk", e);
      }
      LOG.info("{} chunk deleted chunk={}", nodeId, handle);
    }
  }

  /** The committed region for a client read; see ChunkOperations.read. */
  public ReadRegion read(String handle, long version, long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "negative offset or length");
    }
    StoredChunk c = require(handle);
    ChunkMeta m = c.meta();
    if (version != m.version()) {
      throw new ChunkException(Code.STALE_VERSION,
          "requested version " + version + " but replica has version " + m.version());
    }
    long committed = m.committedLength();
    long end = Math.min(committed, offset + Math.min(length, Long.MAX_VALUE - offset));
    long start = Math.min(offset, committed) / Crc32cBlocks.BLOCK * Crc32cBlocks.BLOCK;
    long alignedEnd = end <= offset ? start
        : Math.min(committed, (end + Crc32cBlocks.BLOCK - 1) / Crc32cBlocks.BLOCK
            * Crc32cBlocks.BLOCK);
    int firstBlock = Math.toIntExact(start / Crc32cBlocks.BLOCK);
    int lastBlock = Crc32cBlocks.blockCount(alignedEnd);
    if (alignedEnd == start) {
      lastBlock = firstBlock; // nothing committed at or after offset: an empty region
    }
    int[] crcs = m.blockCrc32c(firstBlock, Math.max(firstBlock, lastBlock));
    try {
      FileChannel ch = FileChannel.open(c.dataPath(), StandardOpenOption.READ);
      DirectReader.Bytes direct;
      try {
        direct = DirectReader.readUncached(c.dataPath(), ch, directReadAlignment, start,
            alignedEnd - start);
      } catch (RuntimeException | Error e) {
        closeQuietly(ch);
        throw e;
      }
      if (direct != null) {
        closeQuietly(ch);
        return new ReadRegion(null, start, alignedEnd - start, start, crcs, committed,
            direct.bytes(), direct.release());
      }
      return new ReadRegion(ch, start, alignedEnd - start, start, crcs, committed,
          () -> closeQuietly(ch));
    } catch (IOException e) {
      throw translate("open for read", e);
    }
  }

  /**
   * Up to 1 MiB of committed bytes from {@code offset}, for a peer. The blocks read are checked
   * against their CRCs first, so a corrupt replica is never copied as a good one.
   */
  public byte[] readCommitted(String handle, long offset, long maxBytes) {
    ChunkMeta m = require(handle).meta();
    if (offset < 0 || offset > m.committedLength()) {
      throw new ChunkException(Code.INVALID_ARGUMENT, "offset " + offset
          + " outside the committed length " + m.committedLength());
    }
    long n = Math.max(0, Math.min(Math.min(maxBytes, PEER_READ_MAX),
        m.committedLength() - offset));
    if (n == 0) {
      return new byte[0];
    }
    long start = offset / Crc32cBlocks.BLOCK * Crc32cBlocks.BLOCK;
    long alignedEnd = Math.min(m.committedLength(),
        (offset + n + Crc32cBlocks.BLOCK - 1) / Crc32cBlocks.BLOCK * Crc32cBlocks.BLOCK);
    ByteBuffer buf = ByteBuffer.allocate((int) (alignedEnd - start));
    try (FileChannel ch = FileChannel.open(dataPath(handle), StandardOpenOption.READ)) {
      FileChannels.readFully(ch, buf, start);
    } catch (IOException e) {
      throw translate("peer read", e);
    }
    int firstBlock = Math.toIntExact(start / Crc32cBlocks.BLOCK);
    int[] crcs = m.blockCrc32c(firstBlock, Crc32cBlocks.blockCount(alignedEnd));
    int bad = Crc32cBlocks.firstMismatch(buf.array(), start, crcs);
    if (bad >= 0) {
      LOG.error("{} checksum mismatch chunk={} block={}", nodeId, handle, firstBlock + bad);
      corruptionListener.corrupt(handle, m.version(), "block " + (firstBlock + bad)
          + " does not match its checksum");
      throw new ChunkException(Code.CHECKSUM_MISMATCH, "chunk " + handle + " block "
          + (firstBlock + bad) + " does not match its checksum");
    }
    int from = (int) (offset - start);
    return java.util.Arrays.copyOfRange(buf.array(), from, from + (int) n);
  }

  /** Every replica's state, sorted by handle (what heartbeats report). */
  public Map<String, ChunkMeta> inventory() {
    Map<String, ChunkMeta> out = new TreeMap<>();
    chunks.forEach((h, c) -> out.put(h, c.meta()));
    return out;
  }

  public void discardStaging(String handle) {
    ChunkHandles.require(handle);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(stagingDir, handle + "-*")) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw translate("discard staging", e);
    }
  }

  /** Bytes available for new data on the data directory's file system. */
  public long freeBytes() {
    try {
      return stagingFileStore.getUsableSpace();
    } catch (IOException e) {
      throw translate("free space", e);
    }
  }

  /** Space figures of the file system holding the data directory. */
  public SpaceUsage space() {
    try {
      FileStore fs = chunksFileStore;
      long chunkBytes = 0;
      for (ChunkMeta m : inventory().values()) {
        chunkBytes += m.committedLength();
      }
      return new SpaceUsage(fs.getTotalSpace(), fs.getTotalSpace() - fs.getUnallocatedSpace(),
          fs.getUsableSpace(), chunkBytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Disk figures in bytes. */
  public record SpaceUsage(long totalBytes, long usedBytes, long freeBytes, long chunkBytes) {}

  static ChunkException translate(String what, IOException e) {
    String msg = String.valueOf(e.getMessage());
    if (msg.contains("No space left") || msg.contains("Disk quota exceeded")) {
      return new ChunkException(Code.NO_SPACE, what + ": no space left on device", e);
    }
    return new ChunkException(Code.INTERNAL, what + " failed: " + msg, e);
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // a read channel: nothing to lose
    }
  }
}
