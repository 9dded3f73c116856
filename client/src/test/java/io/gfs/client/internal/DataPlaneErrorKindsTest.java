package io.gfs.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.internal.dataplane.DataPlaneException;
import io.gfs.client.internal.dataplane.DataPlaneStatus;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** What the file logic is told to do about each data-plane failure of a write or a read. */
class DataPlaneErrorKindsTest {
  @Test
  void goingAwayMeansNotExecutedSoEvenAnAppendMayBeRetried() {
    DataPlaneException e = new DataPlaneException(DataPlaneStatus.GOING_AWAY, "stopping");
    assertThat(DefaultChunkIo.translate(e, true).kind())
        .isEqualTo(ChunkIoException.Kind.UNREACHABLE);
    assertThat(DefaultChunkIo.translate(e, false).kind())
        .isEqualTo(ChunkIoException.Kind.UNREACHABLE);
  }

  @Test
  void aConnectionLostAfterSendingLeavesAnAppendsOutcomeUnknown() {
    DataPlaneException lost = new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
        "connection closed", new IOException("reset"));
    assertThat(DefaultChunkIo.translate(lost, true).kind())
        .isEqualTo(ChunkIoException.Kind.UNKNOWN);
    assertThat(DefaultChunkIo.translate(lost, false).kind())
        .isEqualTo(ChunkIoException.Kind.UNREACHABLE);
    DataPlaneException refused = new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
        "cannot connect", new ConnectException("refused"));
    assertThat(DefaultChunkIo.translate(refused, true).kind())
        .isEqualTo(ChunkIoException.Kind.UNREACHABLE);
  }
}
