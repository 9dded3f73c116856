package io.gfs.master.namespace;

import io.gfs.master.MasterException;
import io.grpc.Status;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * All namespaces by name. {@value NamespaceNames#DEFAULT} always exists; another namespace comes
 * into being with the first entry created in it and stays (even when emptied) until deleted.
 * Not thread-safe: guarded by the MasterState lock.
 */
public final class Namespaces {
  private final TreeMap<String, NamespaceTree> byName = new TreeMap<>();

  public Namespaces() {
    byName.put(NamespaceNames.DEFAULT,
        new NamespaceTree(NamespaceNames.DEFAULT, new DirNode(0, 0)));
  }

  /** The namespace, or null when it does not exist. */
  public NamespaceTree get(String name) {
    return byName.get(name);
  }

  /** The namespace, or NOT_FOUND. */
  public NamespaceTree existing(String name) {
    NamespaceTree tree = byName.get(name);
    if (tree == null) {
      throw MasterException.notFound("no such namespace: " + name);
    }
    return tree;
  }

  /**
   * Runs a creating operation in a namespace, making the namespace if needed; a new namespace is
   * kept only when the operation succeeds, so a failed command leaves no trace.
   */
  public <T> T createIn(String name, long timestampMs, Function<NamespaceTree, T> operation) {
    NamespaceTree tree = byName.get(name);
    if (tree != null) {
      return operation.apply(tree);
    }
    NamespaceTree fresh = new NamespaceTree(name, new DirNode(timestampMs, timestampMs));
    T result = operation.apply(fresh);
    byName.put(name, fresh);
    return result;
  }

  /** Removes a namespace and everything in it; returns the number of entries removed. */
  public long delete(String name, Consumer<FileNode> removedFiles) {
    if (name.equals(NamespaceNames.DEFAULT)) {
      throw new MasterException(Status.Code.FAILED_PRECONDITION,
          "the default namespace cannot be deleted");
    }
    NamespaceTree tree = existing(name);
    long removed = tree.clear(removedFiles);
    byName.remove(name);
    return removed;
  }

  /** Adds a namespace read from a checkpoint (the default one is replaced). */
  public void restore(NamespaceTree tree) {
    if (!tree.name().equals(NamespaceNames.DEFAULT) && byName.containsKey(tree.name())) {
      throw new IllegalArgumentException("duplicate namespace " + tree.name());
    }
    byName.put(tree.name(), tree);
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  public Collection<NamespaceTree> all() {
    return byName.values();
  }

  public int size() {
    return byName.size();
  }

  public long fileCount() {
    long n = 0;
    for (NamespaceTree t : byName.values()) {
      n += t.fileCount();
    }
    return n;
  }

  public long directoryCount() {
    long n = 0;
    for (NamespaceTree t : byName.values()) {
      n += t.directoryCount();
    }
    return n;
  }
}
