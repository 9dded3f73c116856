package io.gfs.master.chunks;

import java.util.Arrays;
import java.util.List;

/**
 * One chunk as the replicated master knows it. Mutable for memory's sake (millions of chunks);
 * guarded by the owning MasterState's lock and changed only through {@link ChunkTable}.
 */
public final class Chunk {
  private static final String[] NO_REPLICAS = new String[0];

  private final String handle;
  private final int index;
  private final ChunkOwner owner;
  // Invariant: version >= 1 and never decreases; bumped by each lease grant to a new primary.
  private long version;
  // Invariant: never decreases (LESSONS #4).
  private long committedLength;
  // Invariant: once true, stays true.
  private boolean sealed;
  // The up-to-date replicas: distinct server ids, in the order they were added.
  private String[] replicas;
  private String primary;
  private long leaseExpiryMs;

  Chunk(String handle, int index, ChunkOwner owner, String[] replicas, String primary,
      long leaseExpiryMs) {
    this.handle = handle;
    this.index = index;
    this.owner = owner;
    this.version = 1;
    this.replicas = replicas.length == 0 ? NO_REPLICAS : replicas;
    this.primary = primary;
    this.leaseExpiryMs = leaseExpiryMs;
  }

  public String handle() {
    return handle;
  }

  public int index() {
    return index;
  }

  public ChunkOwner owner() {
    return owner;
  }

  public long version() {
    return version;
  }

  public long committedLength() {
    return committedLength;
  }

  public boolean sealed() {
    return sealed;
  }

  public List<String> replicas() {
    return List.of(replicas);
  }

  /** The lease holder's server id, or "" when none. */
  public String primary() {
    return primary;
  }

  public long leaseExpiryMs() {
    return leaseExpiryMs;
  }

  boolean hasReplica(String serverId) {
    for (String r : replicas) {
      if (r.equals(serverId)) {
        return true;
      }
    }
    return false;
  }

  void addReplica(String serverId) {
    replicas = Arrays.copyOf(replicas, replicas.length + 1);
    replicas[replicas.length - 1] = serverId;
  }

  void removeReplica(String serverId) {
    String[] kept = new String[replicas.length - 1];
    int k = 0;
    for (String r : replicas) {
      if (!r.equals(serverId)) {
        kept[k++] = r;
      }
    }
    replicas = kept.length == 0 ? NO_REPLICAS : kept;
  }

  void newLease(long newVersion, String newPrimary, long expiryMs, String[] newReplicas) {
    if (newVersion <= version) {
      throw new IllegalStateException("chunk version would not advance handle=" + handle
          + " version=" + version + " new=" + newVersion);
    }
    version = newVersion;
    primary = newPrimary;
    leaseExpiryMs = expiryMs;
    replicas = newReplicas.length == 0 ? NO_REPLICAS : newReplicas;
  }

  void extendLease(long expiryMs) {
    leaseExpiryMs = Math.max(leaseExpiryMs, expiryMs);
  }

  /** Returns true when something changed. */
  boolean commit(long length, boolean seal) {
    boolean changed = false;
    if (length > committedLength) {
      committedLength = length;
      changed = true;
    }
    if (seal && !sealed) {
      sealed = true;
      changed = true;
    }
    return changed;
  }

  /** Restores persisted fields from a checkpoint. */
  void restore(long version, long committedLength, boolean sealed) {
    this.version = version;
    this.committedLength = committedLength;
    this.sealed = sealed;
  }
}
