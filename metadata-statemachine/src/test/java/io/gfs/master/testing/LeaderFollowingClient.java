package io.gfs.master.testing;

import io.gfs.master.service.StatusMapping;
import io.gfs.proto.MasterServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A tiny test-side client: calls any master and follows the {@code gfs-leader} trailer, retrying
 * UNAVAILABLE on the next master until a deadline. The same request object is resent, so a
 * mutation keeps its RequestId across retries.
 */
public final class LeaderFollowingClient {

  private final MasterTestCluster cluster;
  private final Duration callDeadline;
  private final Duration overallDeadline;

  public LeaderFollowingClient(MasterTestCluster cluster, Duration callDeadline,
      Duration overallDeadline) {
    this.cluster = cluster;
    this.callDeadline = callDeadline;
    this.overallDeadline = overallDeadline;
  }

  public <T> T call(Function<MasterServiceGrpc.MasterServiceBlockingStub, T> rpc) {
    return call(cluster.anyRunningId(), rpc);
  }

  public <T> T call(String firstTarget,
      Function<MasterServiceGrpc.MasterServiceBlockingStub, T> rpc) {
    long deadline = System.nanoTime() + overallDeadline.toNanos();
    List<String> ids = cluster.ids();
    String target = firstTarget;
    int attempt = 0;
    StatusRuntimeException last = null;
    while (System.nanoTime() < deadline && attempt < 500) {
      attempt++;
      if (!cluster.isRunning(target)) {
        target = ids.get((ids.indexOf(target) + 1) % ids.size());
        continue;
      }
      try {
        return rpc.apply(cluster.masterStub(target)
            .withDeadlineAfter(callDeadline.toMillis(), TimeUnit.MILLISECONDS));
      } catch (StatusRuntimeException e) {
        last = e;
        Status.Code code = e.getStatus().getCode();
        if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
          throw e;
        }
        String hint = e.getTrailers() == null ? null
            : e.getTrailers().get(StatusMapping.LEADER_ID_KEY);
        if (hint != null && cluster.isRunning(hint) && !hint.equals(target)) {
          target = hint;
        } else {
          target = ids.get((ids.indexOf(target) + 1) % ids.size());
          pause();
        }
      }
    }
    throw last != null ? last : new IllegalStateException("no master answered");
  }

  private static void pause() {
    // Back-off between full rounds of retries; not waiting for a condition.
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
