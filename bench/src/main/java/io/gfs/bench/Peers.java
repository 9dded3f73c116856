package io.gfs.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The rows of the table, their units, and the peers' figures as BENCHMARKS.md gives them. */
final class Peers {
  /** One table row: what it measures, its unit, HDFS (1 NN), HDFS HA, MooseFS. */
  record Row(String workload, String unit, String hdfs, String hdfsHa, String moose) {
  }

  static final Map<String, Row> ROWS = new LinkedHashMap<>();

  static {
    ROWS.put("W0a", new Row("dd 1 GiB, fdatasync, data disk", "MiB/s", "440–454", "", ""));
    ROWS.put("W0b", new Row("3 × dd in parallel (aggregate)", "MiB/s", "706–712", "", ""));
    ROWS.put("W1", new Row("sequential write 1 GiB, 1 MiB buffers", "MiB/s", "210–368 (no fsync)",
        "", "148"));
    ROWS.put("W1-sustained", new Row("sequential write 4 GiB", "MiB/s", "338–386 (no fsync)", "",
        "190"));
    ROWS.put("W2-warm", new Row("sequential read, page cache warm", "MiB/s", "1916–2697", "",
        "632"));
    ROWS.put("W2-cold", new Row("sequential read, caches dropped", "MiB/s", "1640–1881", "",
        "711"));
    ROWS.put("W3/1", new Row("create empty files, 1 thread", "ops/s", "1365", "647",
        "2057 durable (4466 not)"));
    ROWS.put("W3/8", new Row("create empty files, 8 threads", "ops/s", "3591", "2052",
        "2334 durable (5353 not)"));
    ROWS.put("W4-empty/1", new Row("locate, empty files, 1 thread", "ops/s", "12756", "9338",
        "11898 (stat)"));
    ROWS.put("W4-empty/8", new Row("locate, empty files, 8 threads", "ops/s", "33165", "24169",
        "21945 (stat)"));
    ROWS.put("W4-chunk/1", new Row("locate one chunk of the 1 GiB file, 1 thread", "ops/s",
        "10166", "", ""));
    ROWS.put("W4-chunk/8", new Row("locate one chunk of the 1 GiB file, 8 threads", "ops/s",
        "27232", "", ""));
    ROWS.put("W5", new Row("4 KiB record appends, each durable before the next", "ops/s",
        "1363–1503 (hsync)", "", "1465"));
    ROWS.put("W6/1", new Row("delete files, 1 thread", "ops/s", "3386", "1405",
        "3238 durable (5304 not)"));
    ROWS.put("W6/8", new Row("delete files, 8 threads", "ops/s", "13249", "6829",
        "3031 durable (5325 not)"));
    ROWS.put("W7-log-read", new Row("restart all masters as W3 left them: until reads", "s", "1.11",
        "", "0.32"));
    ROWS.put("W7-log-write", new Row("restart all masters as W3 left them: until writes", "s",
        "5.45", "", "2.13"));
    ROWS.put("W7-checkpoint-read", new Row("restart right after a checkpoint: until reads", "s",
        "0.64", "", ""));
    ROWS.put("W7-checkpoint-write", new Row("restart right after a checkpoint: until writes", "s",
        "5.31", "", ""));
    ROWS.put("W8", new Row("kill -9 of the leader under 8-thread creates: unavailability", "s",
        "", "tens of s (ZKFC)", "no failover"));
    ROWS.put("cpu-servers-per-GiB", new Row("server CPU seconds per GiB written (W1)", "s/GiB",
        "", "", ""));
    ROWS.put("cpu-client-per-GiB", new Row("client CPU seconds per GiB written (W1)", "s/GiB",
        "", "", ""));
  }

  private Peers() {
  }
}
