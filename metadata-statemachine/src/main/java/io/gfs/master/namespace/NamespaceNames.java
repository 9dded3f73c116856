package io.gfs.master.namespace;

import io.gfs.master.MasterException;
import java.util.regex.Pattern;

/**
 * Namespace names: an empty name means {@value #DEFAULT}; otherwise 1–64 characters of
 * {@code [a-z0-9._-]}, starting with a letter or digit (safe as a directory or metric name).
 */
public final class NamespaceNames {
  public static final String DEFAULT = "default";
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private NamespaceNames() {
  }

  /** Returns the normalized name, or throws INVALID_ARGUMENT naming the problem. */
  public static String normalize(String ns) {
    if (ns == null || ns.isEmpty()) {
      return DEFAULT;
    }
    if (!VALID.matcher(ns).matches()) {
      throw MasterException.invalidArgument("invalid namespace name " + FsPaths.quote(ns)
          + ": must be 1-64 characters of [a-z0-9._-] starting with a letter or digit");
    }
    return ns;
  }
}
