package io.gfs.master.statemachine;

import io.gfs.proto.MasterResult;
import io.gfs.proto.RequestId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The results of applied client mutations by request id, kept for {@code expiry} so that a
 * resent request is answered, not applied again (exactly-once across client retries and leader
 * changes). Ratis's retry cache did this while every request was its own log entry; an entry
 * now carries several requests, so the ids travel inside the commands and every replica records
 * each result here as it applies it. A new leader therefore knows what the old one applied: it
 * serves only once it has applied every earlier entry. The leader also registers each request
 * it proposes, so a resend while the first is still in flight waits for that one.
 *
 * <p>Not replicated state (apply never reads it): like Ratis's cache, a restarted replica knows
 * the requests of the log it replays since its checkpoint. Thread-safe.
 */
public final class AppliedRequests {

  /** A client request id: the client's 16-byte id and its call number. */
  public record Key(long clientHigh, long clientLow, long callId) {

    /** The key of {@code id}, or null when it names no client (such requests are not cached). */
    public static Key of(RequestId id) {
      if (id.getClientId().size() != 16) {
        return null;
      }
      ByteBuffer b = id.getClientId().asReadOnlyByteBuffer();
      return new Key(b.getLong(), b.getLong(), id.getCallId());
    }
  }

  private record Recorded(Key key, CompletableFuture<MasterResult> result, long atNanos) {
  }

  private final ConcurrentHashMap<Key, CompletableFuture<MasterResult>> results =
      new ConcurrentHashMap<>();
  private final ArrayDeque<Recorded> byAge = new ArrayDeque<>();  // guarded by itself
  private final long expiryNanos;
  private final LongSupplier nanoClock;

  public AppliedRequests(Duration expiry, LongSupplier nanoClock) {
    this.expiryNanos = expiry.toNanos();
    this.nanoClock = nanoClock;
  }

  /** The result of {@code key}, pending while its proposal is in flight; null when unknown. */
  public CompletableFuture<MasterResult> get(Key key) {
    return results.get(key);
  }

  /**
   * Registers a proposal of {@code key} about to be made; returns the result already known
   * (applied, or proposed by a concurrent resend) instead when there is one.
   */
  public CompletableFuture<MasterResult> propose(Key key, CompletableFuture<MasterResult> result) {
    CompletableFuture<MasterResult> known = results.putIfAbsent(key, result);
    return known != null ? known : result;
  }

  /**
   * Forgets a proposal that failed (this master stopped leading, or could not propose), so a
   * resend proposes again. Keeps a result applied meanwhile: a proposal that failed here may
   * still have been committed, and then every replica records it when it applies it.
   */
  public void proposalFailed(Key key, CompletableFuture<MasterResult> result) {
    results.remove(key, result);
  }

  /**
   * Records the result of {@code key} applied at this replica; false when a result of it was
   * recorded here before (the request was applied twice: a bug, or a resend after expiry).
   */
  public boolean applied(Key key, MasterResult result) {
    CompletableFuture<MasterResult> done = CompletableFuture.completedFuture(result);
    CompletableFuture<MasterResult> before = results.put(key, done);
    long now = nanoClock.getAsLong();
    synchronized (byAge) {
      byAge.addLast(new Recorded(key, done, now));
      for (Recorded r = byAge.peekFirst(); r != null && now - r.atNanos() > expiryNanos;
          r = byAge.peekFirst()) {
        byAge.removeFirst();
        results.remove(r.key(), r.result());
      }
    }
    // A proposal in flight completes only after its entry is applied, or fails.
    return before == null || !before.isDone() || before.isCompletedExceptionally();
  }

  /** Requests known (applied or in flight). */
  public int size() {
    return results.size();
  }
}
