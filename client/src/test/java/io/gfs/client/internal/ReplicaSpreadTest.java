package io.gfs.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which replica a sequential reader asks first: the same one for a whole chunk (it then reads its
 * chunk file front to back, so the kernel's read-ahead fetches only what it will serve), and the
 * next one for the next chunk (the reader's read-ahead across chunks uses every replica).
 */
class ReplicaSpreadTest {
  private static final HostPorts.HostPort A = new HostPorts.HostPort("a", 1);
  private static final HostPorts.HostPort B = new HostPorts.HostPort("b", 2);
  private static final HostPorts.HostPort C = new HostPorts.HostPort("c", 3);

  @Test
  void consecutiveChunksStartAtConsecutiveReplicasAndEachKeepsAllAsFallbacks() {
    List<HostPorts.HostPort> replicas = List.of(A, B, C);
    assertThat(ChunkReads.spread(replicas, 0)).containsExactly(A, B, C);
    assertThat(ChunkReads.spread(replicas, 1)).containsExactly(B, C, A);
    assertThat(ChunkReads.spread(replicas, 2)).containsExactly(C, A, B);
    assertThat(ChunkReads.spread(replicas, 3)).containsExactly(A, B, C);
    assertThat(ChunkReads.spread(List.of(A), 7)).containsExactly(A);
    assertThat(replicas).as("the caller's list is not reordered").containsExactly(A, B, C);
  }
}
