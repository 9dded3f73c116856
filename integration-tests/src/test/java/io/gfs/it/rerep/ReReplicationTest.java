package io.gfs.it.rerep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.server.ChunkserverNode;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.client.GfsClient;
import io.gfs.client.GfsUnavailableException;
import io.gfs.proto.ChunkInfo;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rolling-restart problem: a chunkserver restarted under appends comes back with a stale
 * replica; the leader must bring every chunk back to 3 good replicas, or the next restart leaves
 * one and the 2-of-3 quorum fails (DESIGN §5 re-replication, §3 soft state).
 */
class ReReplicationTest {
  private static final int RECORD = 1000;

  @TempDir Path dir;

  @Test
  void aRestartedServerGetsAFreshCopyAndTheNextRestartKeepsAppending() throws Exception {
    try (RerepCluster c = new RerepCluster(dir, 3); GfsClient client = c.client()) {
      c.awaitReady();
      client.createFile("/log");
      Map<Long, byte[]> acked = new LinkedHashMap<>();
      append(client, acked, 0, 10);

      c.stop("cs3");
      append(client, acked, 10, 30);
      String handle = c.chunks("/log").get(0).getHandle();
      await("cs3 no longer an up-to-date replica").atMost(RerepCluster.WAIT)
          .until(() -> !c.replicaSet(handle).contains("cs3"));

      c.start("cs3");
      await("3 good replicas again").atMost(RerepCluster.WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> c.status().getUnderReplicatedChunks() == 0
              && c.replicaSet(handle).containsAll(List.of("cs1", "cs2", "cs3"))
              && sameCopies(c, handle, List.of("cs1", "cs2", "cs3")));
      byte[] reference = committedBytes(c.node("cs1").store(), handle);
      assertThat(reference.length).isEqualTo(30 * RECORD);
      for (String id : List.of("cs2", "cs3")) {
        assertThat(committedBytes(c.node(id).store(), handle)).as("replica on %s", id)
            .isEqualTo(reference);
      }

      c.stop("cs1");  // a different server: two good replicas remain
      c.awaitDead("cs1");
      append(client, acked, 30, 40);
      byte[] file = client.readFile("/log");
      for (Map.Entry<Long, byte[]> e : acked.entrySet()) {
        int at = Math.toIntExact(e.getKey());
        assertThat(Arrays.copyOfRange(file, at, at + RECORD)).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void anOrphanReplicaIsDeletedThroughHeartbeats() throws Exception {
    try (RerepCluster c = new RerepCluster(dir, 3); GfsClient client = c.client()) {
      c.awaitReady();
      client.createFile("/kept");
      client.appendFile("/kept", Records.record(1, RECORD));
      client.createFile("/doomed");
      client.appendFile("/doomed", Records.record(2, RECORD));
      String kept = c.chunks("/kept").get(0).getHandle();
      String doomed = c.chunks("/doomed").get(0).getHandle();
      await().atMost(RerepCluster.WAIT).until(() -> c.running().stream()
          .allMatch(id -> c.node(id).store().state(doomed).isPresent()));

      client.delete("/doomed", false);
      await("orphan deleted everywhere").atMost(RerepCluster.WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> c.running().stream()
              .noneMatch(id -> c.node(id).store().state(doomed).isPresent()));
      assertThat(c.running()).allMatch(id -> c.node(id).store().state(kept).isPresent());
      assertThat(client.readFile("/kept")).isEqualTo(Records.record(1, RECORD));
    }
  }

  /**
   * Appends records, retrying one that failed as unavailable (definitely not appended, e.g. its
   * primary was just stopped and its lease has not run out yet) as an application would.
   */
  private static void append(GfsClient client, Map<Long, byte[]> acked, int from, int to) {
    for (int i = from; i < to; i++) {
      byte[] r = Records.record(i, RECORD);
      await("append " + i).atMost(RerepCluster.WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            try {
              acked.put(client.appendFile("/log", r), r);
              return true;
            } catch (GfsUnavailableException e) {
              return false;
            }
          });
    }
  }

  /** Every server holds the chunk at the same version, length and block checksums. */
  private static boolean sameCopies(RerepCluster c, String handle, List<String> servers) {
    ChunkInfo chunk = c.chunks("/log").get(0);
    ChunkMeta first = null;
    for (String id : servers) {
      ChunkserverNode node = c.node(id);
      Optional<ChunkMeta> m = node == null ? Optional.empty() : node.store().state(handle);
      if (m.isEmpty() || m.get().version() != chunk.getVersion()) {
        return false;
      }
      if (first != null && !(first.committedLength() == m.get().committedLength()
          && Arrays.equals(first.blockCrc32c(), m.get().blockCrc32c()))) {
        return false;
      }
      first = m.get();
    }
    return true;
  }

  private static byte[] committedBytes(ChunkStore store, String handle) {
    long length = store.state(handle).orElseThrow().committedLength();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long pos = 0;
    while (pos < length) {
      byte[] piece = store.readCommitted(handle, pos, length - pos);
      out.writeBytes(piece);
      pos += piece.length;
    }
    return out.toByteArray();
  }
}
