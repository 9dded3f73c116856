package io.gfs.bench.jmh;

import io.gfs.chunkserver.storage.Crc32cBlocks;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** CRC32C over one 64 KiB checksum block: heap array, direct buffer, and the store's helper. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Crc32cBench {
  private final byte[] heap = new byte[Crc32cBlocks.BLOCK];
  private final ByteBuffer direct = ByteBuffer.allocateDirect(Crc32cBlocks.BLOCK);

  @Setup
  public void fill() {
    new Random(1).nextBytes(heap);
    direct.put(heap).flip();
  }

  @Benchmark
  public long heapBlock() {
    CRC32C c = new CRC32C();
    c.update(heap, 0, heap.length);
    return c.getValue();
  }

  @Benchmark
  public long directBlock() {
    CRC32C c = new CRC32C();
    c.update(direct.duplicate());
    return c.getValue();
  }

  @Benchmark
  public int storeHelper() {
    return Crc32cBlocks.crc(heap, 0, heap.length);
  }
}
