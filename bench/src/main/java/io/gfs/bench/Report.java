package io.gfs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The markdown table (medians beside the peers' figures) and the JSON file of raw runs. */
final class Report {
  private Report() {
  }

  static String markdown(Results results) {
    StringBuilder sb = new StringBuilder();
    sb.append("| id | workload | unit | median | min–max | p50 / p99 ms (median run) | runs"
        + " | HDFS 3.4.1 | HDFS HA | MooseFS |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Peers.Row> e : Peers.ROWS.entrySet()) {
      List<Run> runs = results.runs.get(e.getKey());
      if (runs == null || runs.isEmpty()) {
        continue;
      }
      List<Double> values = new ArrayList<>();
      runs.forEach(r -> values.add(r.value()));
      Run mid = runs.get(Stats.medianIndex(values));
      Peers.Row row = e.getValue();
      String latency = Double.isNaN(mid.p50Ms()) ? ""
          : fmt(mid.p50Ms()) + " / " + fmt(mid.p99Ms());
      sb.append(String.format(Locale.ROOT,
          "| %s | %s | %s | %s | %s–%s | %s | %d | %s | %s | %s |%n",
          e.getKey(), row.workload(), row.unit(), fmt(Stats.median(values)),
          fmt(Stats.min(values)), fmt(Stats.max(values)), latency, runs.size(), row.hdfs(),
          row.hdfsHa(), row.moose()));
    }
    sb.append("\nPeak RSS (VmHWM) per process: ");
    List<String> rss = new ArrayList<>();
    results.peakRssKib.forEach((id, kib) -> rss.add(id + " " + (kib / 1024) + " MiB"));
    sb.append(String.join(", ", rss)).append('\n');
    results.extras.forEach((k, v) -> sb.append(k).append(": ").append(fmt(v)).append('\n'));
    results.notes.forEach(n -> sb.append("Note: ").append(n).append('\n'));
    return sb.toString();
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
  }

  static void writeJson(Path file, Options options, Results results, String machine)
      throws IOException {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"quick\": ").append(options.quick()).append(",\n");
    sb.append("  \"repetitions\": ").append(options.reps()).append(",\n");
    sb.append("  \"machine\": ").append(str(machine)).append(",\n");
    sb.append("  \"runs\": {");
    String sep = "\n";
    for (Map.Entry<String, List<Run>> e : results.runs.entrySet()) {
      sb.append(sep).append("    ").append(str(e.getKey())).append(": [");
      String s2 = "";
      for (Run r : e.getValue()) {
        sb.append(s2).append("{\"value\": ").append(num(r.value())).append(", \"p50_ms\": ")
            .append(num(r.p50Ms())).append(", \"p99_ms\": ").append(num(r.p99Ms())).append('}');
        s2 = ", ";
      }
      sb.append(']');
      sep = ",\n";
    }
    sb.append("\n  },\n  \"peak_rss_kib\": {");
    sep = "";
    for (Map.Entry<String, Long> e : results.peakRssKib.entrySet()) {
      sb.append(sep).append(str(e.getKey())).append(": ").append(e.getValue());
      sep = ", ";
    }
    sb.append("},\n  \"extras\": {");
    sep = "";
    for (Map.Entry<String, Double> e : results.extras.entrySet()) {
      sb.append(sep).append(str(e.getKey())).append(": ").append(num(e.getValue()));
      sep = ", ";
    }
    sb.append("},\n  \"notes\": [");
    sep = "";
    for (String n : results.notes) {
      sb.append(sep).append(str(n));
      sep = ", ";
    }
    sb.append("]\n}\n");
    Files.writeString(file, sb.toString());
  }

  private static String num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "null" : Double.toString(v);
  }

  private static String str(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
