package io.gfs.master.server;

import java.time.Duration;
import java.util.Locale;

/** Parses human-friendly values from flags and config files, with plain error messages. */
public final class ConfigValues {

  private ConfigValues() {
  }

  /** "60s", "500ms", "2m", "1h", or a bare number of milliseconds. */
  public static Duration duration(String key, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      if (t.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.ofMillis(Long.parseLong(t));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + text
          + "' is not a duration (e.g. 500ms, 60s, 2m)");
    }
  }

  /** "64MiB", "1m", "4096", "2g" (binary units). */
  public static long bytes(String key, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
    long unit = 1;
    if (t.endsWith("k")) {
      unit = 1L << 10;
    } else if (t.endsWith("m")) {
      unit = 1L << 20;
    } else if (t.endsWith("g")) {
      unit = 1L << 30;
    }
    if (unit != 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(t.trim()), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(key + ": '" + text + "' is not a byte size (e.g. 64MiB)");
    }
  }

  public static long number(String key, String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + text + "' is not a number");
    }
  }

  /** {@code true} or {@code false}, nothing else (a typo must not silently mean false). */
  public static boolean trueOrFalse(String key, String text) {
    return switch (text.trim()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + ": '" + text
          + "' is not true or false");
    };
  }
}
