package io.gfs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every measured run by row id (e.g. "W3/8"), plus notes and per-process figures. */
final class Results {
  final Map<String, List<Run>> runs = new LinkedHashMap<>();
  final List<String> notes = new ArrayList<>();
  final Map<String, Long> peakRssKib = new LinkedHashMap<>();
  final Map<String, Double> extras = new LinkedHashMap<>();
  private final Path latencyDir; // null: per-operation latencies are not written

  Results(Path latencyDir) {
    this.latencyDir = latencyDir;
  }

  /**
   * A run with per-operation latencies; with a latency directory they also go to
   * {@code <row>-<repetition>.txt} there ("/" in the row becomes "-"), one line per operation in
   * operation order, in nanoseconds: for looking at warm-up, periodic stalls and outliers, which
   * percentiles hide.
   */
  void add(String row, Parallel.Result result) {
    add(row, result.toRun());
    if (latencyDir == null) {
      return;
    }
    Path file = latencyDir.resolve(row.replace('/', '-') + "-" + runs.get(row).size() + ".txt");
    StringBuilder text = new StringBuilder();
    for (long nanos : result.latencyNanosInOrder()) {
      text.append(nanos).append('\n');
    }
    try {
      Files.createDirectories(latencyDir);
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write latencies to " + file, e);
    }
  }

  void add(String row, Run run) {
    runs.computeIfAbsent(row, k -> new ArrayList<>()).add(run);
    System.out.printf("bench: %s = %.2f%s%n", row, run.value(),
        Double.isNaN(run.p50Ms()) ? "" : String.format(" (p50 %.2f ms, p99 %.2f ms)",
            run.p50Ms(), run.p99Ms()));
  }

  void note(String note) {
    notes.add(note);
    System.out.println("bench: note: " + note);
  }
}
