package io.gfs.it.fault;

import java.util.List;

/** The checker's verdict over one history; {@link #violations} describes each broken promise. */
record CheckReport(int acked, int lost, int phantom, int duplicates, int staleReads,
    int failedPresent, int replicaMismatches, int orphanHandles, int metaLost,
    List<String> violations) {

  boolean ok() {
    return violations.isEmpty();
  }

  /** The scenario summary line (one line, key=value). */
  String summary(String scenario, long seed, double maxUnavailableS, long elections) {
    return String.format(java.util.Locale.ROOT,
        "scenario=%s seed=%d acked=%d lost=%d phantom=%d duplicates=%d stale_reads=%d"
            + " max_unavailable_s=%.1f elections=%d failed_present=%d replica_mismatches=%d"
            + " orphan_handles=%d meta_lost=%d",
        scenario, seed, acked, lost, phantom, duplicates, staleReads, maxUnavailableS, elections,
        failedPresent, replicaMismatches, orphanHandles, metaLost);
  }
}
