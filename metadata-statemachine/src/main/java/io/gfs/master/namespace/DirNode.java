package io.gfs.master.namespace;

/** A directory. Its modified time changes when an entry is added to or removed from it. */
public final class DirNode extends Node {
  public DirNode(long createdMs, long modifiedMs) {
    super(createdMs, modifiedMs);
  }
}
