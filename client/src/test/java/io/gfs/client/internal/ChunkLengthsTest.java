package io.gfs.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.client.GfsUnavailableException;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The length of an unsealed chunk that another follows: never the master's lower bound alone. */
class ChunkLengthsTest {
  private static final String HANDLE = UUID.randomUUID().toString();

  /** A fake ChunkIo answering committed lengths by port; a missing port fails. */
  private static ChunkIo lengths(Map<Integer, Long> byPort) {
    return new FakeFiles.StubChunkIo() {
      @Override
      public CompletableFuture<Long> committedLength(HostPorts.HostPort replica, UUID handle,
          long version) {
        Long len = byPort.get(replica.port());
        return len == null
            ? CompletableFuture.failedFuture(
                new ChunkIoException(ChunkIoException.Kind.UNREACHABLE, "down", null))
            : CompletableFuture.completedFuture(len);
      }
    };
  }

  private static ChunkInfo chunk(boolean sealed, long masterLength) {
    ChunkInfo.Builder b = ChunkInfo.newBuilder().setHandle(HANDLE).setIndex(2).setVersion(1)
        .setSealed(sealed).setCommittedLength(masterLength);
    for (int i = 1; i <= 3; i++) {
      b.addReplicas(ChunkLocation.newBuilder().setServerId("cs" + i).setHost("127.0.0.1")
          .setDataPort(i));
    }
    return b.build();
  }

  @Test
  void takesTheLargestLengthOfTheReplicasOverTheMastersLowerBound() {
    ChunkIo io = lengths(Map.of(1, 61_000L, 2, 64_419L, 3, 64_419L));
    assertThat(ChunkLengths.ofFollowedChunk(io, chunk(false, 50_000), Duration.ofSeconds(1)))
        .isEqualTo(64_419L);
  }

  @Test
  void twoAnswersAreEnough() {
    ChunkIo io = lengths(Map.of(1, 64_419L, 3, 63_000L));
    assertThat(ChunkLengths.ofFollowedChunk(io, chunk(false, 50_000), Duration.ofSeconds(1)))
        .isEqualTo(64_419L);
  }

  @Test
  void refusesToGuessWithOneAnswer() {
    ChunkIo io = lengths(Map.of(3, 63_000L));
    assertThatThrownBy(() -> ChunkLengths.ofFollowedChunk(io, chunk(false, 50_000),
        Duration.ofSeconds(1))).isInstanceOf(GfsUnavailableException.class);
  }

  @Test
  void sealedChunkUsesTheMastersFinalLength() {
    ChunkIo io = lengths(Map.of());
    assertThat(ChunkLengths.ofFollowedChunk(io, chunk(true, 64_000), Duration.ofSeconds(1)))
        .isEqualTo(64_000L);
  }
}
