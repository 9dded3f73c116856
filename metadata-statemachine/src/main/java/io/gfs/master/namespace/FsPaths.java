package io.gfs.master.namespace;

import io.gfs.master.MasterException;

/**
 * Validation and small manipulations of file-system paths. Paths are absolute, slash-separated
 * and normalized: {@code "/"} is the root, every other path is {@code "/seg1/seg2..."} with no
 * trailing slash.
 *
 * <p>Rejected with INVALID_ARGUMENT (the message names the problem): an empty or relative path,
 * a {@code "."} or {@code ".."} segment (we never resolve them: a path names one entry), an empty
 * segment ({@code "//"}), a NUL or other control character, unpaired UTF-16 surrogates (not
 * encodable as UTF-8), a path longer than {@value #PATH_BYTES_MAX} bytes or a segment longer than
 * {@value #NAME_BYTES_MAX} bytes in UTF-8 (the POSIX PATH_MAX / NAME_MAX limits). One trailing
 * slash is dropped, as POSIX tools do for directories.
 */
public final class FsPaths {
  public static final String ROOT = "/";
  public static final int PATH_BYTES_MAX = 4096;
  public static final int NAME_BYTES_MAX = 255;

  private FsPaths() {
  }

  /** Returns the normalized form of {@code path}, or throws INVALID_ARGUMENT. */
  public static String normalize(String path) {
    if (path == null || path.isEmpty()) {
      throw MasterException.invalidArgument("path is empty");
    }
    if (path.charAt(0) != '/') {
      throw MasterException.invalidArgument("path is not absolute (must start with '/'): "
          + quote(path));
    }
    checkCharacters(path);
    if (utf8Length(path) > PATH_BYTES_MAX) {
      throw MasterException.invalidArgument(
          "path is longer than " + PATH_BYTES_MAX + " bytes (UTF-8): " + quote(path));
    }
    String p = path.length() > 1 && path.endsWith("/")
        ? path.substring(0, path.length() - 1) : path;
    if (p.equals(ROOT)) {
      if (path.length() > 1) {
        throw MasterException.invalidArgument("path contains an empty segment (\"//\"): "
            + quote(path));
      }
      return ROOT;
    }
    int start = 1;
    while (start <= p.length()) {
      int end = p.indexOf('/', start);
      if (end < 0) {
        end = p.length();
      }
      checkSegment(p, p.substring(start, end));
      start = end + 1;
    }
    return p;
  }

  private static void checkCharacters(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == 0) {
        throw MasterException.invalidArgument("path contains a NUL character: " + quote(path));
      }
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        throw MasterException.invalidArgument(
            "path contains a control character: " + quote(path));
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < path.length() && Character.isLowSurrogate(path.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw MasterException.invalidArgument(
            "path contains an unpaired surrogate (not valid Unicode): " + quote(path));
      }
    }
  }

  private static void checkSegment(String path, String segment) {
    if (segment.isEmpty()) {
      throw MasterException.invalidArgument("path contains an empty segment (\"//\"): "
          + quote(path));
    }
    if (segment.equals(".") || segment.equals("..")) {
      throw MasterException.invalidArgument(
          "path contains a '.' or '..' segment: " + quote(path));
    }
    if (utf8Length(segment) > NAME_BYTES_MAX) {
      throw MasterException.invalidArgument("path has a name longer than " + NAME_BYTES_MAX
          + " bytes (UTF-8): " + quote(path));
    }
  }

  /** The parent of a normalized path other than the root. */
  public static String parent(String path) {
    if (path.equals(ROOT)) {
      throw new IllegalArgumentException("the root has no parent");
    }
    int slash = path.lastIndexOf('/');
    return slash == 0 ? ROOT : path.substring(0, slash);
  }

  /** True when {@code path} is {@code ancestor} itself or lies under it. */
  public static boolean isSelfOrUnder(String path, String ancestor) {
    if (ancestor.equals(ROOT) || path.equals(ancestor)) {
      return true;
    }
    return path.startsWith(ancestor) && path.length() > ancestor.length()
        && path.charAt(ancestor.length()) == '/';
  }

  /** The prefix shared by every path strictly under {@code dir}: {@code dir + "/"}. */
  public static String childPrefix(String dir) {
    return dir.equals(ROOT) ? ROOT : dir + "/";
  }

  /**
   * The smallest string greater than every string starting with {@code prefix}, where prefix
   * ends with '/': the same prefix with its last '/' replaced by '0' (the next character).
   */
  public static String prefixEnd(String prefix) {
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix must end with '/': " + prefix);
    }
    return prefix.substring(0, prefix.length() - 1) + '0';
  }

  static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * Quotes untrusted input for an error message: control characters escaped, at most 200
   * characters, so a hostile path cannot flood or forge log lines.
   */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    int limit = Math.min(s.length(), 200);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    if (s.length() > limit) {
      b.append("...(").append(s.length()).append(" chars)");
    }
    return b.append('"').toString();
  }
}
