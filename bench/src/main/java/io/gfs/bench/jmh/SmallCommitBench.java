package io.gfs.bench.jmh;

import io.gfs.bench.BenchMain;
import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.gfs.chunkserver.storage.StageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one replica does for a durable 4 KiB record append (W5): stage the record in memory, then
 * commit it (write, read-back checksums, metadata slot with the tail, fdatasync). The store's
 * directory is {@code dir} (a temp directory on the default file system if empty): on a disk the
 * fdatasync dominates; on tmpfs ({@code -p dir=/dev/shm}) fdatasync costs nothing and what is
 * left is the chunkserver's own work and system calls per commit. {@code -prof gc} gives the
 * bytes allocated per commit.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SmallCommitBench {
  private static final int RECORD = 4096;
  /** A new chunk after this many bytes, the old one deleted, so the store stays small. */
  private static final long CHUNK_BYTES = 16L << 20;

  @Param("")
  public String dir;

  private Path root;
  private ChunkStore store;
  private final byte[] record = new byte[RECORD];
  private int crc;
  private String handle;
  private long length;
  private long sequence;

  @Setup(Level.Trial)
  public void open() throws IOException {
    root = dir.isEmpty() ? Files.createTempDirectory("gfs-commit-bench")
        : Files.createTempDirectory(Path.of(dir), "gfs-commit-bench");
    store = ChunkStore.open("bench", root);
    new Random(5).nextBytes(record);
    crc = Crc32cBlocks.crc(record, 0, RECORD);
    newChunk();
  }

  private void newChunk() {
    if (handle != null) {
      store.delete(handle);
    }
    handle = UUID.randomUUID().toString();
    store.createIfAbsent(handle, 1);
    length = 0;
  }

  @Benchmark
  public long commit4KiB() {
    if (length + RECORD > CHUNK_BYTES) {
      newChunk();
    }
    sequence++;
    try (StageFile stage = store.openStage(handle, 1, sequence, RECORD, crc)) {
      stage.write(ByteBuffer.wrap(record));
      stage.complete();
      length = store.commitStage(stage, length, sequence).committedLength();
    }
    return length;
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchMain.deleteTree(root);
  }
}
