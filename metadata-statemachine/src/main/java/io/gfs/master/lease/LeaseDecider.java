package io.gfs.master.lease;

import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.GrantLeaseOp;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Predicate;

/**
 * Decides lease grants and extensions for the leader (GFS §3.1). Pure apart from the clock.
 *
 * <p>Why a new leader cannot grant a conflicting lease: a lease (grant or extension) reaches a
 * chunkserver only after its command has committed, and the caller decides on the result of a
 * linearizable read, which reflects every committed command. So the chunk's recorded
 * {@code lease_expiry_ms} bounds every lease that may be in force, whichever leader granted it.
 * Expiries are in the granting leader's wall clock; {@code clockSkewMargin} covers the difference
 * between masters' clocks, so a different primary is chosen only once
 * {@code now > recorded expiry + margin}. (Chunkservers count their lease from when they asked,
 * which only shortens it on their side.)
 */
public final class LeaseDecider {

  private final InstantSource clock;
  private final Duration leaseDuration;
  private final Duration clockSkewMargin;

  public LeaseDecider(InstantSource clock, Duration leaseDuration, Duration clockSkewMargin) {
    this.clock = clock;
    this.leaseDuration = leaseDuration;
    this.clockSkewMargin = clockSkewMargin;
  }

  public long newExpiryMs() {
    return clock.millis() + leaseDuration.toMillis();
  }

  /**
   * For a writer: keep a valid lease, otherwise grant one to an up-to-date live replica,
   * preferring {@code preferred} (may be empty).
   *
   * @param upToDateLive true for a replica that is live and not known to be behind
   */
  public LeaseDecision decide(ChunkInfo chunk, Predicate<String> upToDateLive, String preferred) {
    long now = clock.millis();
    String holder = chunk.getPrimary();
    if (!holder.isEmpty() && chunk.getLeaseExpiryMs() > now) {
      if (holder.equals(preferred) || (preferred.isEmpty() && upToDateLive.test(holder))) {
        return holder.equals(preferred) ? extend(chunk) : new LeaseDecision.Keep();
      }
      return new LeaseDecision.Refuse("chunk " + chunk.getHandle() + " lease is held by "
          + holder + " for " + (chunk.getLeaseExpiryMs() - now) + " ms more", true);
    }
    List<String> candidates = chunk.getReplicasList().stream()
        .map(ChunkLocation::getServerId)
        .filter(upToDateLive)
        .toList();
    if (!holder.isEmpty() && candidates.contains(holder)
        && (preferred.isEmpty() || preferred.equals(holder))) {
      // The last holder may take its lease back at the same version: nobody else held one since.
      return extend(chunk);
    }
    long safeAtMs = chunk.getLeaseExpiryMs() + clockSkewMargin.toMillis();
    if (!holder.isEmpty() && now <= safeAtMs) {
      return new LeaseDecision.Refuse("chunk " + chunk.getHandle() + " lease of " + holder
          + " may still be valid for " + (safeAtMs - now + 1) + " ms", true);
    }
    String primary = !preferred.isEmpty() ? preferred : candidates.isEmpty() ? "" : candidates.get(0);
    if (primary.isEmpty() || !candidates.contains(primary)) {
      return new LeaseDecision.Refuse("chunk " + chunk.getHandle()
          + (primary.isEmpty() ? " has no live up-to-date replica"
              : ": " + primary + " is not a live up-to-date replica"), primary.isEmpty());
    }
    return new LeaseDecision.Grant(GrantLeaseOp.newBuilder()
        .setHandle(chunk.getHandle())
        .setPrimary(primary)
        .setNewVersion(chunk.getVersion() + 1)
        .setLeaseExpiryMs(newExpiryMs())
        .addAllReplicas(candidates)
        .build());
  }

  /**
   * A new version for the current holder with {@code rejoined} added to the replicas: the holder
   * gave them a full copy at the current version while the chunk had no write in flight, so they
   * hold every committed byte. The version bump makes every replica's copy from before the
   * rejoin (and any client's cached view without them) visibly old.
   */
  public LeaseDecision rejoin(ChunkInfo chunk, List<String> rejoined) {
    List<String> replicas = new java.util.ArrayList<>(
        chunk.getReplicasList().stream().map(ChunkLocation::getServerId).toList());
    for (String id : rejoined) {
      if (!replicas.contains(id)) {
        replicas.add(id);
      }
    }
    return new LeaseDecision.Grant(GrantLeaseOp.newBuilder()
        .setHandle(chunk.getHandle())
        .setPrimary(chunk.getPrimary())
        .setNewVersion(chunk.getVersion() + 1)
        .setLeaseExpiryMs(newExpiryMs())
        .addAllReplicas(replicas)
        .build());
  }

  /** An extension for the current holder at the current version. */
  public LeaseDecision extend(ChunkInfo chunk) {
    return new LeaseDecision.Grant(GrantLeaseOp.newBuilder()
        .setHandle(chunk.getHandle())
        .setPrimary(chunk.getPrimary())
        .setNewVersion(chunk.getVersion())
        .setLeaseExpiryMs(newExpiryMs())
        .addAllReplicas(chunk.getReplicasList().stream().map(ChunkLocation::getServerId).toList())
        .build());
  }
}
