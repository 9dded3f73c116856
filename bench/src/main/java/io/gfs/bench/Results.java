package io.gfs.bench;

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
