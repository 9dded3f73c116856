package io.gfs.master.namespace;

import io.gfs.master.MasterException;
import io.grpc.Status;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The directory tree of one namespace, stored flat: normalized path → node, in byte order
 * ({@link PathOrder}). Every path's descendants are the contiguous key range
 * {@code [path + "/", path + "0")}, which makes recursive listing, delete and rename range
 * operations, and gives listings and checkpoints their order for free. The root "/" always
 * exists and is not stored in the map.
 *
 * <p>Every mutating method checks everything first and throws {@link MasterException} before
 * changing anything. Paths must already be normalized ({@link FsPaths#normalize}).
 * Not thread-safe: guarded by the MasterState lock.
 */
public final class NamespaceTree {
  private final String name;
  private final DirNode root;
  private final TreeMap<String, Node> entries = new TreeMap<>(PathOrder.INSTANCE);
  private long fileCount;
  private long directoryCount;  // not counting the root

  public NamespaceTree(String name, DirNode root) {
    this.name = name;
    this.root = root;
  }

  public String name() {
    return name;
  }

  public DirNode root() {
    return root;
  }

  public long fileCount() {
    return fileCount;
  }

  public long directoryCount() {
    return directoryCount;
  }

  /** Number of entries, not counting the root. */
  public long size() {
    return entries.size();
  }

  /** The node at a normalized path, or null. */
  public Node get(String path) {
    return path.equals(FsPaths.ROOT) ? root : entries.get(path);
  }

  /** All entries (not the root) in path order; read-only. */
  public NavigableMap<String, Node> entries() {
    return java.util.Collections.unmodifiableNavigableMap(entries);
  }

  /**
   * mkdir. With {@code parents}: creates missing ancestors and succeeds when a directory is
   * already there (mkdir -p); without: the parent must exist and the path must not.
   */
  public DirNode mkdir(String path, boolean parents, long timestampMs) {
    Node existing = get(path);
    if (existing instanceof DirNode dir && parents) {
      return dir;
    }
    if (existing != null) {
      throw new MasterException(Status.Code.ALREADY_EXISTS,
          (existing instanceof DirNode ? "directory" : "a file") + " already exists: " + path);
    }
    if (parents) {
      checkAncestorsCreatable(path);
    } else {
      Node parent = get(FsPaths.parent(path));
      if (parent == null) {
        throw MasterException.notFound("parent directory does not exist: "
            + FsPaths.parent(path));
      }
      if (!(parent instanceof DirNode)) {
        throw new MasterException(Status.Code.FAILED_PRECONDITION,
            "parent is a file, not a directory: " + FsPaths.parent(path));
      }
    }
    createAncestors(path, timestampMs);
    DirNode dir = new DirNode(timestampMs, timestampMs);
    insert(path, dir, timestampMs);
    return dir;
  }

  /** Creates an empty file, and missing ancestors as mkdir -p would. */
  public FileNode createFile(String path, long timestampMs) {
    Node existing = get(path);
    if (existing != null) {
      throw new MasterException(Status.Code.ALREADY_EXISTS,
          (existing instanceof DirNode ? "a directory" : "file") + " already exists: " + path);
    }
    checkAncestorsCreatable(path);
    createAncestors(path, timestampMs);
    FileNode file = new FileNode(timestampMs, timestampMs);
    insert(path, file, timestampMs);
    return file;
  }

  /**
   * Deletes a file, or a directory (a non-empty one only when recursive). Deleting the root
   * removes everything under it (recursive, or when already empty) and keeps the root.
   * Each removed file is passed to {@code removedFiles}. Returns the number of entries removed.
   */
  public long delete(String path, boolean recursive, long timestampMs,
      Consumer<FileNode> removedFiles) {
    Node node = get(path);
    if (node == null) {
      throw MasterException.notFound("no such file or directory: " + path);
    }
    if (node instanceof FileNode file) {
      entries.remove(path);
      fileCount--;
      removedFiles.accept(file);
      get(FsPaths.parent(path)).touch(timestampMs);
      return 1;
    }
    NavigableMap<String, Node> subtree = descendants(path);
    if (!subtree.isEmpty() && !recursive) {
      throw new MasterException(Status.Code.FAILED_PRECONDITION,
          "directory is not empty (delete it recursively): " + path);
    }
    long removed = subtree.size();
    for (Node n : subtree.values()) {
      forget(n, removedFiles);
    }
    subtree.clear();
    if (node == root) {
      if (removed > 0) {
        root.touch(timestampMs);
      }
      return removed;
    }
    entries.remove(path);
    forget(node, removedFiles);
    get(FsPaths.parent(path)).touch(timestampMs);
    return removed + 1;
  }

  /** Deletes everything; returns the number of entries removed. */
  public long clear(Consumer<FileNode> removedFiles) {
    long removed = entries.size();
    for (Node n : entries.values()) {
      forget(n, removedFiles);
    }
    entries.clear();
    return removed;
  }

  /**
   * Renames a file or a whole directory, atomically. Missing ancestors of the destination are
   * created (as by createFile). An existing destination is replaced only when both are files
   * and {@code overwrite} is set (the replaced file goes to {@code replacedFiles}); otherwise
   * ALREADY_EXISTS. Renaming a path to itself is a no-op (POSIX rename(2)). A file's modified
   * time is kept (rename changes where, not what); both parents' modified times change.
   * Returns the moved node.
   */
  public Node rename(String source, String destination, boolean overwrite, long timestampMs,
      Consumer<FileNode> replacedFiles) {
    if (source.equals(FsPaths.ROOT) || destination.equals(FsPaths.ROOT)) {
      throw MasterException.invalidArgument("cannot rename the root directory \"/\"");
    }
    Node node = get(source);
    if (node == null) {
      throw MasterException.notFound("no such file or directory: " + source);
    }
    if (source.equals(destination)) {
      return node;
    }
    if (node instanceof DirNode && FsPaths.isSelfOrUnder(destination, source)) {
      throw MasterException.invalidArgument("cannot move directory " + source
          + " into its own subtree: " + destination);
    }
    Node existing = get(destination);
    if (existing != null && !(overwrite && existing instanceof FileNode
        && node instanceof FileNode)) {
      throw new MasterException(Status.Code.ALREADY_EXISTS, "destination exists: " + destination
          + (overwrite ? " (only a file replaces a file)" : " (set overwrite to replace a file)"));
    }
    checkAncestorsCreatable(destination);

    if (existing != null) {
      entries.remove(destination);
      fileCount--;
      replacedFiles.accept((FileNode) existing);
    }
    createAncestors(destination, timestampMs);
    if (node instanceof DirNode) {
      NavigableMap<String, Node> subtree = descendants(source);
      // Copy key and value: TreeMap reuses its entry objects while deleting.
      List<Map.Entry<String, Node>> moved = new ArrayList<>(subtree.size());
      for (Map.Entry<String, Node> e : subtree.entrySet()) {
        moved.add(Map.entry(e.getKey(), e.getValue()));
      }
      subtree.clear();
      int cut = source.length();
      for (Map.Entry<String, Node> e : moved) {
        entries.put(destination + e.getKey().substring(cut), e.getValue());
      }
    }
    entries.remove(source);
    entries.put(destination, node);
    get(FsPaths.parent(source)).touch(timestampMs);
    get(FsPaths.parent(destination)).touch(timestampMs);
    return node;
  }

  /** Everything strictly under a directory path, as a live view. */
  NavigableMap<String, Node> descendants(String dir) {
    String prefix = FsPaths.childPrefix(dir);
    return entries.subMap(prefix, true, FsPaths.prefixEnd(prefix), false);
  }

  /**
   * Puts back the entries of a checkpoint, which come in strictly increasing {@link PathOrder}
   * (parents before children), into this tree while it is still empty. Each entry costs a hash
   * lookup of its parent instead of three searches of the growing tree, and {@link
   * Restorer#finish} builds the tree from the sorted entries in linear time: a master with
   * 60,000 files spent a third of its checkpoint load comparing paths in those searches, a cost
   * that grows with n log n.
   */
  public Restorer restorer() {
    if (!entries.isEmpty()) {
      throw new IllegalStateException("restoring into a namespace that has entries: " + name);
    }
    return new Restorer();
  }

  /** Collects a checkpoint's entries in order; {@link #finish} puts them into the tree. */
  public final class Restorer {
    private final List<Map.Entry<String, Node>> sorted = new ArrayList<>();
    private final Set<String> directories = new HashSet<>();
    private boolean finished;

    private Restorer() {
    }

    /** The next entry; its path must sort after the previous one and its parent be a directory. */
    public void add(String path, Node node) {
      if (finished) {
        throw new IllegalStateException("restorer already finished");
      }
      String previous = sorted.isEmpty() ? null : sorted.get(sorted.size() - 1).getKey();
      if (path.equals(FsPaths.ROOT)
          || previous != null && PathOrder.INSTANCE.compare(previous, path) >= 0) {
        throw new IllegalArgumentException("entry out of order or duplicate: " + path);
      }
      String parent = FsPaths.parent(path);
      if (!parent.equals(FsPaths.ROOT) && !directories.contains(parent)) {
        throw new IllegalArgumentException("entry without a directory parent: " + path);
      }
      if (node instanceof DirNode) {
        directories.add(path);
      }
      sorted.add(new AbstractMap.SimpleImmutableEntry<>(path, node));
    }

    /** Puts every entry into the tree, which nothing may have changed meanwhile. */
    public void finish() {
      if (finished || !entries.isEmpty()) {
        throw new IllegalStateException("restorer already finished, or the tree changed");
      }
      finished = true;
      // TreeMap builds itself from a sorted map with its own comparator without comparing keys.
      entries.putAll(new SortedEntries(sorted));
      for (Map.Entry<String, Node> e : sorted) {
        count(e.getValue(), 1);
      }
    }
  }

  /** Restored entries as the read-only sorted map TreeMap.putAll builds from in linear time. */
  private static final class SortedEntries extends AbstractMap<String, Node>
      implements SortedMap<String, Node> {
    private final List<Map.Entry<String, Node>> sorted;

    SortedEntries(List<Map.Entry<String, Node>> sorted) {
      this.sorted = sorted;
    }

    @Override
    public Comparator<? super String> comparator() {
      return PathOrder.INSTANCE;
    }

    @Override
    public int size() {
      return sorted.size();
    }

    @Override
    public Set<Map.Entry<String, Node>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<String, Node>> iterator() {
          return Collections.unmodifiableList(sorted).iterator();
        }

        @Override
        public int size() {
          return sorted.size();
        }
      };
    }

    @Override
    public String firstKey() {
      if (sorted.isEmpty()) {
        throw new NoSuchElementException();
      }
      return sorted.get(0).getKey();
    }

    @Override
    public String lastKey() {
      if (sorted.isEmpty()) {
        throw new NoSuchElementException();
      }
      return sorted.get(sorted.size() - 1).getKey();
    }

    @Override
    public SortedMap<String, Node> subMap(String from, String to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedMap<String, Node> headMap(String to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedMap<String, Node> tailMap(String from) {
      throw new UnsupportedOperationException();
    }
  }

  private void checkAncestorsCreatable(String path) {
    for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
      String ancestor = path.substring(0, slash);
      if (entries.get(ancestor) instanceof FileNode) {
        throw new MasterException(Status.Code.FAILED_PRECONDITION,
            "a file is in the way (not a directory): " + ancestor);
      }
    }
  }

  private void createAncestors(String path, long timestampMs) {
    for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
      String ancestor = path.substring(0, slash);
      Node n = entries.get(ancestor);
      if (n == null) {
        insert(ancestor, new DirNode(timestampMs, timestampMs), timestampMs);
      } else if (!(n instanceof DirNode)) {
        throw new IllegalStateException("ancestor is not a directory after the check: "
            + ancestor);
      }
    }
  }

  private void insert(String path, Node node, long timestampMs) {
    Node parent = get(FsPaths.parent(path));
    if (!(parent instanceof DirNode) || entries.putIfAbsent(path, node) != null) {
      throw new IllegalStateException("insert without a directory parent, or duplicate: "
          + path);
    }
    parent.touch(timestampMs);
    count(node, 1);
  }

  private void forget(Node node, Consumer<FileNode> removedFiles) {
    count(node, -1);
    if (node instanceof FileNode file) {
      removedFiles.accept(file);
    }
  }

  private void count(Node node, int delta) {
    if (node instanceof FileNode) {
      fileCount += delta;
    } else {
      directoryCount += delta;
    }
  }
}
