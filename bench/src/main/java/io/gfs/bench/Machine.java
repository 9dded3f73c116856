package io.gfs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine and its load, printed with every table. */
final class Machine {
  private Machine() {
  }

  static String describe() {
    String cpu = "?";
    String mem = "?";
    String load = "?";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
      mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
      load = Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      // best effort: the description is informational
    }
    return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), " + mem
        + ", Java " + System.getProperty("java.version") + ", loadavg at start " + load;
  }
}
