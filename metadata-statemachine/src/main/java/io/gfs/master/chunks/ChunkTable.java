package io.gfs.master.chunks;

import io.gfs.master.MasterException;
import io.gfs.master.namespace.FsPaths;
import io.grpc.Status;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All chunks by handle, and the rules for changing them (GFS §4.5 versions, §3.1 leases). Every
 * method validates fully before it mutates, so a thrown {@link MasterException} changed nothing.
 * Not thread-safe: guarded by the MasterState lock. Iteration order is never used for anything
 * persisted (checkpoints write chunks with their files), so a HashMap is fine here.
 */
public final class ChunkTable {
  private static final int SERVER_ID_CHARS_MAX = 255;

  private final Map<String, Chunk> byHandle = new HashMap<>();
  // Server ids repeat across millions of chunks: keep one String per id.
  private final Map<String, String> serverIds = new HashMap<>();

  public Chunk get(String handle) {
    return byHandle.get(handle);
  }

  public int size() {
    return byHandle.size();
  }

  public Collection<Chunk> all() {
    return byHandle.values();
  }

  /** Validates the form of a new chunk's arguments, whatever the table holds. */
  public static void checkNewArguments(String handle, List<String> replicas, String primary,
      long leaseExpiryMs) {
    ChunkHandles.validate(handle);
    checkReplicaList(replicas, primary);
    if (leaseExpiryMs < 0) {
      throw MasterException.invalidArgument("lease expiry is negative: " + leaseExpiryMs);
    }
  }

  /** Validates the arguments of a new chunk, including that its handle is new. */
  public void checkNew(String handle, List<String> replicas, String primary, long leaseExpiryMs) {
    checkNewArguments(handle, replicas, primary, leaseExpiryMs);
    if (byHandle.containsKey(handle)) {
      throw new MasterException(Status.Code.FAILED_PRECONDITION,
          "chunk handle already exists: " + handle);
    }
  }

  /** Adds chunk {@code index} of {@code owner} at version 1 with a first lease to primary. */
  public Chunk add(String handle, int index, ChunkOwner owner, List<String> replicas,
      String primary, long leaseExpiryMs) {
    checkNew(handle, replicas, primary, leaseExpiryMs);
    Chunk chunk = new Chunk(handle, index, owner, intern(replicas), intern(primary),
        leaseExpiryMs);
    byHandle.put(handle, chunk);
    return chunk;
  }

  /** Puts back a chunk read from a checkpoint. */
  public Chunk restore(String handle, int index, ChunkOwner owner, long version,
      long committedLength, boolean sealed, List<String> replicas, String primary,
      long leaseExpiryMs) {
    if (!ChunkHandles.isValid(handle) || byHandle.containsKey(handle) || version < 1
        || committedLength < 0) {
      throw new IllegalArgumentException("invalid or duplicate chunk handle=" + handle
          + " version=" + version + " length=" + committedLength);
    }
    Chunk chunk = new Chunk(handle, index, owner, intern(replicas), intern(primary),
        leaseExpiryMs);
    chunk.restore(version, committedLength, sealed);
    byHandle.put(handle, chunk);
    return chunk;
  }

  public void remove(Chunk chunk) {
    if (byHandle.remove(chunk.handle()) != chunk) {
      throw new IllegalStateException("chunk missing from the table handle=" + chunk.handle());
    }
  }

  /**
   * Applies one commit report: unknown handles and versions older than the chunk's are ignored;
   * the committed length only advances and sealed is sticky. Returns true when it changed
   * something; the owner's modified time then becomes {@code timestampMs}.
   */
  public boolean commit(String handle, long version, long committedLength, boolean sealed,
      long timestampMs) {
    Chunk chunk = byHandle.get(handle);
    if (chunk == null || version < chunk.version()) {
      return false;
    }
    boolean changed = chunk.commit(committedLength, sealed);
    if (changed) {
      chunk.owner().chunkDataChanged(timestampMs);
    }
    return changed;
  }

  /**
   * Grants or extends a lease. The same primary at the same version extends the expiry (never
   * shortens it); {@code newVersion == version + 1} installs a new primary and replica set;
   * anything else is ABORTED (the caller decided on an outdated view).
   */
  public Chunk grantLease(String handle, String primary, long newVersion, long leaseExpiryMs,
      List<String> replicas) {
    Chunk chunk = existing(handle);
    if (leaseExpiryMs < 0) {
      throw MasterException.invalidArgument("lease expiry is negative: " + leaseExpiryMs);
    }
    checkServerId(primary, "primary");
    if (newVersion == chunk.version() && primary.equals(chunk.primary())) {
      chunk.extendLease(leaseExpiryMs);
      return chunk;
    }
    if (chunk.version() == Long.MAX_VALUE || newVersion != chunk.version() + 1) {
      throw new MasterException(Status.Code.ABORTED, "lease grant at version " + newVersion
          + " does not follow version " + chunk.version() + " of chunk " + handle);
    }
    checkReplicaList(replicas, primary);
    chunk.newLease(newVersion, intern(primary), leaseExpiryMs, intern(replicas));
    return chunk;
  }

  /** Removes a stale replica; ignored (false) for a report older than the chunk's version. */
  public boolean markStale(String handle, String serverId, long version) {
    Chunk chunk = existing(handle);
    checkServerId(serverId, "server id");
    if (version < chunk.version() || !chunk.hasReplica(serverId)) {
      return false;
    }
    chunk.removeReplica(serverId);
    return true;
  }

  /**
   * Adds an up-to-date replica (a re-replicated copy); ignored (false) unless the copy is at the
   * current version and no lease may be in force at {@code timestampMs} (the proposing leader's
   * clock): a copy made while a primary accepts writes could miss commits, and that primary would
   * not send it later ones.
   */
  public boolean addReplica(String handle, String serverId, long version, long timestampMs) {
    Chunk chunk = existing(handle);
    checkServerId(serverId, "server id");
    boolean leaseMayHold = !chunk.primary().isEmpty() && chunk.leaseExpiryMs() >= timestampMs;
    if (version != chunk.version() || chunk.hasReplica(serverId) || leaseMayHold) {
      return false;
    }
    chunk.addReplica(intern(serverId));
    return true;
  }

  public boolean removeReplica(String handle, String serverId) {
    Chunk chunk = existing(handle);
    checkServerId(serverId, "server id");
    if (!chunk.hasReplica(serverId)) {
      return false;
    }
    chunk.removeReplica(serverId);
    return true;
  }

  private Chunk existing(String handle) {
    ChunkHandles.validate(handle);
    Chunk chunk = byHandle.get(handle);
    if (chunk == null) {
      throw MasterException.notFound("no such chunk: " + handle);
    }
    return chunk;
  }

  private static void checkReplicaList(List<String> replicas, String primary) {
    if (replicas.isEmpty()) {
      throw MasterException.invalidArgument("replica list is empty");
    }
    Set<String> seen = new HashSet<>();
    for (String r : replicas) {
      checkServerId(r, "replica server id");
      if (!seen.add(r)) {
        throw MasterException.invalidArgument("replica list names a server twice: "
            + FsPaths.quote(r));
      }
    }
    checkServerId(primary, "primary");
    if (!seen.contains(primary)) {
      throw MasterException.invalidArgument("primary " + FsPaths.quote(primary)
          + " is not one of the replicas");
    }
  }

  /** Server ids: non-empty, at most 255 characters, no control characters. */
  public static void checkServerId(String id, String what) {
    if (id == null || id.isEmpty()) {
      throw MasterException.invalidArgument(what + " is empty");
    }
    if (id.length() > SERVER_ID_CHARS_MAX) {
      throw MasterException.invalidArgument(what + " is longer than " + SERVER_ID_CHARS_MAX
          + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) < 0x20 || id.charAt(i) == 0x7f) {
        throw MasterException.invalidArgument(what + " contains a control character: "
            + FsPaths.quote(id));
      }
    }
  }

  private String intern(String id) {
    return id.isEmpty() ? "" : serverIds.computeIfAbsent(id, k -> k);
  }

  private String[] intern(List<String> ids) {
    String[] out = new String[ids.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = intern(ids.get(i));
    }
    return out;
  }
}
