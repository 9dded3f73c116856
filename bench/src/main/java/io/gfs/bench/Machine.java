package io.gfs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A one-line description of the machine and its load, printed with every table. */
final class Machine {
  private static final Path DAMON_ADMIN = Path.of("/sys/kernel/mm/damon/admin");

  private Machine() {
  }

  static String describe() {
    String cpu = "?";
    String mem = "?";
    String load = "?";
    String kernel = "?";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
      mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
      load = Files.readString(Path.of("/proc/loadavg")).trim();
      kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    } catch (IOException e) {
      // best effort: the description is informational
    }
    String reclaim = damon(DAMON_ADMIN);
    return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + mem
        + ", kernel " + kernel + ", Java " + System.getProperty("java.version")
        + (reclaim.isEmpty() ? "" : ", " + reclaim) + ", loadavg at start " + load;
  }

  /**
   * The kernel's DAMON monitors that are running, as "DAMON on: paddr pageout", or "" when none
   * runs (or the kernel has no DAMON sysfs). A host that reclaims a guest's memory this way
   * (pageout of pages idle for a few seconds) evicts cached chunk data, jars and class archives
   * between workloads, and its monitor thread takes CPU in bursts: figures from such a machine
   * are not comparable with one without it.
   */
  static String damon(Path admin) {
    List<String> running = new ArrayList<>();
    try {
      for (Path k : subdirectories(admin.resolve("kdamonds"))) {
        if ("on".equals(read(k.resolve("state")))) {
          for (Path c : subdirectories(k.resolve("contexts"))) {
            running.add(read(c.resolve("operations")) + actions(c.resolve("schemes")));
          }
        }
      }
    } catch (IOException e) {
      return ""; // no DAMON sysfs here, or not readable: nothing to report
    }
    return running.isEmpty() ? "" : "DAMON on: " + String.join(", ", running);
  }

  private static String actions(Path schemes) throws IOException {
    StringBuilder out = new StringBuilder();
    if (Files.isDirectory(schemes)) {
      for (Path s : subdirectories(schemes)) {
        out.append(' ').append(read(s.resolve("action")));
      }
    }
    return out.toString();
  }

  /** The numbered entries of a DAMON sysfs directory, in order (its nr_* files left out). */
  private static List<Path> subdirectories(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isDirectory).sorted().toList();
    }
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p).trim();
  }
}
