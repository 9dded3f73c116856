package io.gfs.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which replica a sequential reader asks first: consecutive chunks, and consecutive pieces of a
 * chunk, start at consecutive replicas (the reader's read-ahead then uses every replica at once),
 * each with all the others as fallbacks; the same piece always starts at the same replica.
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

  @Test
  void consecutivePiecesOfAChunkStartAtConsecutiveReplicas() {
    List<HostPorts.HostPort> replicas = List.of(A, B, C);
    int piece = ChunkReads.PIECE_BYTES_MAX;
    List<HostPorts.HostPort> firsts = new java.util.ArrayList<>();
    for (long offset = 0; offset < 6L * piece; offset += piece) {
      firsts.add(ChunkReads.spread(replicas, ChunkReads.pieceSpread(4, offset)).get(0));
    }
    assertThat(firsts).containsExactly(B, C, A, B, C, A);
    assertThat(ChunkReads.pieceSpread(4, piece + 12345))
        .as("any offset inside a piece: that piece's replica")
        .isEqualTo(ChunkReads.pieceSpread(4, piece));
  }
}
