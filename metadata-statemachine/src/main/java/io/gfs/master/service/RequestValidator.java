package io.gfs.master.service;

import io.gfs.master.MasterException;
import io.gfs.master.namespace.FsPaths;
import io.gfs.master.namespace.NamespaceNames;
import java.util.regex.Pattern;

/**
 * Checks client input before anything is proposed, so nothing invalid reaches the Raft log.
 * Path and namespace rules live in {@link FsPaths} and {@link NamespaceNames}.
 */
final class RequestValidator {

  private static final Pattern HANDLE =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  private RequestValidator() {
  }

  static String namespace(String ns) {
    return NamespaceNames.normalize(ns);
  }

  static String path(String path) {
    return FsPaths.normalize(path);
  }

  static String handle(String handle) {
    if (handle == null || !HANDLE.matcher(handle).matches()) {
      throw MasterException.invalidArgument("chunk handle " + quote(handle)
          + " is not a canonical lowercase UUID v4");
    }
    return handle;
  }

  static String serverId(String serverId) {
    if (serverId == null || serverId.isEmpty() || serverId.length() > 128
        || !serverId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw MasterException.invalidArgument("server id " + quote(serverId)
          + " must be 1-128 printable ASCII characters");
    }
    return serverId;
  }

  static int port(String what, int port) {
    if (port < 0 || port > 65535) {
      throw MasterException.invalidArgument(what + " port " + port + " is out of range");
    }
    return port;
  }

  static long nonNegative(String what, long value) {
    if (value < 0) {
      throw MasterException.invalidArgument(what + " must not be negative, got " + value);
    }
    return value;
  }

  private static String quote(String s) {
    if (s == null) {
      return "(none)";
    }
    String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
