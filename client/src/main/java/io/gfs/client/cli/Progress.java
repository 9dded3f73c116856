package io.gfs.client.cli;

import java.io.PrintStream;

/** A one-line progress bar with rate and ETA, redrawn at most every 200 ms, on a terminal. */
final class Progress {
  private static final long REDRAW_NANOS = 200_000_000L;
  private static final int BAR_WIDTH = 30;

  private final PrintStream err;
  private final boolean enabled;
  private final long total;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;
  private long done;

  Progress(PrintStream err, boolean enabled, long total) {
    this.err = err;
    this.enabled = enabled;
    this.total = total;
  }

  void advance(long bytes) {
    done += bytes;
    long now = System.nanoTime();
    if (enabled && now - lastDrawNanos >= REDRAW_NANOS) {
      lastDrawNanos = now;
      draw(now);
    }
  }

  void finish() {
    if (enabled) {
      draw(System.nanoTime());
      err.println();
    }
  }

  private void draw(long now) {
    double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
    double rate = done / seconds;
    StringBuilder line = new StringBuilder("\r");
    if (total > 0) {
      int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / total);
      line.append('[').append("#".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled))
          .append("] ").append(String.format("%3d%% ", 100 * done / total));
    }
    line.append(Sizes.human(done)).append(String.format(" %s/s", Sizes.human((long) rate)));
    if (total > 0 && rate > 0) {
      line.append(String.format(" ETA %ds", (long) ((total - done) / rate)));
    }
    err.print(line);
    err.flush();
  }
}
