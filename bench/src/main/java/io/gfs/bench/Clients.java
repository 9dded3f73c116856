package io.gfs.bench;

import io.gfs.client.GfsClient;
import io.gfs.client.GfsException;
import io.gfs.proto.GetClusterStatusResponse;
import java.time.Duration;

/** Client construction and the readiness checks the harness waits on. */
final class Clients {
  private Clients() {
  }

  static GfsClient client(String masters) {
    return GfsClient.builder().masters(masters).operationTimeout(Duration.ofSeconds(60))
        .attemptTimeout(Duration.ofSeconds(5)).dataTimeout(Duration.ofSeconds(120)).build();
  }

  /** Waits until a leader answers and every chunkserver is alive; fails after {@code limit}. */
  static void awaitReady(GfsClient client, int chunkservers, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        GetClusterStatusResponse s = client.clusterStatus();
        long alive = s.getChunkserversList().stream().filter(c -> c.getAlive()).count();
        if (!s.getLeaderId().isEmpty() && alive >= chunkservers && !s.getSafeMode()) {
          return;
        }
        last = "leader=" + s.getLeaderId() + " alive=" + alive + " safeMode=" + s.getSafeMode();
      } catch (GfsException e) {
        last = e.toString();
      }
      Thread.sleep(200); // a poll interval, not a wait for a condition: the loop checks it
    }
    throw new IllegalStateException("cluster not ready within " + limit + ": " + last);
  }

  /** The current leader's id, asking until one answers (bounded). */
  static String leader(GfsClient client, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        String id = client.clusterStatus().getLeaderId();
        if (!id.isEmpty()) {
          return id;
        }
      } catch (GfsException e) {
        // no leader yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no leader within " + limit);
  }
}
