package io.gfs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** W0: the physical baseline, dd of 1 GiB with fdatasync to new files on the data disk. */
final class DiskBaseline {
  private static final int MIB_PER_DD = 1024;

  private DiskBaseline() {
  }

  /** W0a (one dd) and W0b (three at once, aggregate), in MiB/s; the files are removed after. */
  static void run(Path dir, int rep, Results results) throws Exception {
    Files.createDirectories(dir);
    results.add("W0a", Run.of(parallelDd(dir, "a" + rep, 1)));
    results.add("W0b", Run.of(parallelDd(dir, "b" + rep, 3)));
  }

  private static double parallelDd(Path dir, String tag, int count) throws Exception {
    List<Process> dds = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      Path f = dir.resolve("dd-" + tag + "-" + i);
      files.add(f);
      dds.add(new ProcessBuilder("dd", "if=/dev/zero", "of=" + f, "bs=1M",
          "count=" + MIB_PER_DD, "conv=fdatasync").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }
    for (Process p : dds) {
      if (p.waitFor() != 0) {
        throw new IllegalStateException("dd failed with exit code " + p.exitValue());
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (Path f : files) {
      Files.deleteIfExists(f);
    }
    return count * MIB_PER_DD / seconds;
  }
}
