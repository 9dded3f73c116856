package io.gfs.master.namespace;

/**
 * A directory or file in a namespace tree. Its path is the key it is stored under, not a field,
 * so renaming a directory does not touch its descendants' objects. Mutable for memory's sake;
 * guarded by the MasterState lock.
 */
public abstract sealed class Node permits DirNode, FileNode {
  private final long createdMs;
  private long modifiedMs;

  Node(long createdMs, long modifiedMs) {
    this.createdMs = createdMs;
    this.modifiedMs = modifiedMs;
  }

  public long createdMs() {
    return createdMs;
  }

  public long modifiedMs() {
    return modifiedMs;
  }

  void touch(long timestampMs) {
    modifiedMs = timestampMs;
  }
}
