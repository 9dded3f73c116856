package io.gfs.master.namespace;

import java.util.Comparator;

/**
 * Orders strings as their UTF-8 bytes would compare (unsigned), which is code-point order.
 * {@link String#compareTo} compares UTF-16 units and differs for supplementary characters versus
 * U+E000..U+FFFF; listings promise byte order, and checkpoints depend on one fixed order.
 */
public final class PathOrder implements Comparator<String> {
  public static final PathOrder INSTANCE = new PathOrder();

  private PathOrder() {
  }

  @Override
  public int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (x >= 0xd800 && y >= 0xd800) {
          // Surrogates (supplementary code points) must sort after U+E000..U+FFFF.
          return Integer.compare(fixup(x), fixup(y));
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static int fixup(char c) {
    return c >= 0xe000 ? c - 0x800 : c + 0x2000;
  }
}
