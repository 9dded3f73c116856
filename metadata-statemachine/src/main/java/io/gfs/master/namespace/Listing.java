package io.gfs.master.namespace;

import io.gfs.master.MasterException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Paginated listing of a namespace tree. A directory lists its direct children, or with
 * {@code recursive} everything under it; a file lists as itself. Entries come in path byte order
 * and a page resumes strictly after the last path of the previous one, so entries added or
 * removed between pages neither repeat nor shift the rest (LESSONS #15).
 */
public final class Listing {
  public static final int PAGE_SIZE_DEFAULT = 1000;
  public static final int PAGE_SIZE_MAX = 10000;

  private Listing() {
  }

  /** One listed entry. */
  public record Item(String path, Node node) {
  }

  /** One page; {@code nextToken} is empty on the last page. */
  public record Page(List<Item> items, String nextToken) {
  }

  /** The page size to use for a requested one (unsigned, as in the proto): 0 → default. */
  public static int effectivePageSize(int requested) {
    if (requested == 0) {
      return PAGE_SIZE_DEFAULT;
    }
    return requested < 0 || requested > PAGE_SIZE_MAX ? PAGE_SIZE_MAX : requested;
  }

  /**
   * Lists {@code path} (normalized). Throws NOT_FOUND when nothing is there and INVALID_ARGUMENT
   * for a malformed page token.
   */
  public static Page list(NamespaceTree tree, String path, boolean recursive, String pageToken,
      int pageSize) {
    Node node = tree.get(path);
    if (node == null) {
      throw MasterException.notFound("no such file or directory: " + path);
    }
    String after = pageToken.isEmpty() ? null : decodeToken(pageToken);
    int limit = effectivePageSize(pageSize);
    if (node instanceof FileNode) {
      boolean include = after == null || PathOrder.INSTANCE.compare(path, after) > 0;
      return new Page(include ? List.of(new Item(path, node)) : List.of(), "");
    }
    String prefix = FsPaths.childPrefix(path);
    NavigableMap<String, Node> range =
        tree.entries().subMap(prefix, true, FsPaths.prefixEnd(prefix), false);
    List<Item> items = new ArrayList<>(Math.min(limit, 64));
    String cursor = after != null && PathOrder.INSTANCE.compare(after, prefix) >= 0
        ? after : null;
    Map.Entry<String, Node> e = cursor == null ? range.firstEntry() : range.higherEntry(cursor);
    while (e != null) {
      String key = e.getKey();
      int deeper = recursive ? -1 : key.indexOf('/', prefix.length());
      if (deeper >= 0) {
        // A grandchild: its child was listed already (parents sort first); skip its subtree.
        e = range.ceilingEntry(FsPaths.prefixEnd(key.substring(0, deeper + 1)));
        continue;
      }
      if (items.size() == limit) {
        return new Page(items, encodeToken(items.get(items.size() - 1).path()));
      }
      items.add(new Item(key, e.getValue()));
      e = range.higherEntry(key);
    }
    return new Page(items, "");
  }

  static String encodeToken(String path) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(path.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeToken(String token) {
    String path;
    try {
      path = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw MasterException.invalidArgument("invalid page token");
    }
    try {
      return FsPaths.normalize(path);
    } catch (MasterException e) {
      throw MasterException.invalidArgument("invalid page token");
    }
  }
}
