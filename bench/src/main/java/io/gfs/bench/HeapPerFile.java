package io.gfs.bench;

import io.gfs.master.statemachine.MasterState;
import io.gfs.proto.CreateFileOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MkdirOp;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The master's heap per file, as BENCHMARKS.md's separate scale run asks: applies 1,000,000
 * creates (1,000 directories of 1,000 files, as W3 would leave them) to the master's state
 * machine in this JVM and divides the live heap it added by the file count. It measures the
 * namespace only, not Ratis's log cache. Run it as {@code scripts/bench.sh heap [FILES]}.
 */
public final class HeapPerFile {
  private static final int FILES_PER_DIR = 1000;

  private HeapPerFile() {
  }

  public static void main(String[] args) throws InterruptedException {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = liveHeap(memory);
    MasterState state = new MasterState();
    long index = 0;
    for (int i = 0; i < files; i++) {
      String dir = String.format("/bench/meta/d-%04d", i / FILES_PER_DIR);
      if (i % FILES_PER_DIR == 0) {
        state.apply(++index, MasterCommand.newBuilder().setTimestampMs(index)
            .setMkdir(MkdirOp.newBuilder().setNamespace("default").setPath(dir).setParents(true))
            .build());
      }
      state.apply(++index, MasterCommand.newBuilder().setTimestampMs(index)
          .setCreateFile(CreateFileOp.newBuilder().setNamespace("default")
              .setPath(String.format("%s/f-%06d", dir, i)))
          .build());
    }
    long after = liveHeap(memory);
    System.out.printf("heap per file: %.0f bytes (%d files, %.1f MiB of live heap added;"
        + " file count reported by the state: %d)%n", (after - before) / (double) files, files,
        (after - before) / 1048576.0, state.stats().getFileCount());
  }

  private static long liveHeap(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200); // let the collector settle; a measurement pause, not a wait for a state
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
