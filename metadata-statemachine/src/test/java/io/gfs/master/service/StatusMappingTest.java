package io.gfs.master.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** A client can only call a "not the leader" answer definite when nothing was proposed. */
class StatusMappingTest {
  @Test
  void refusalBeforeProposalIsMarkedEvenWithoutAKnownLeader() {
    StatusRuntimeException e = StatusMapping.toStatus(new NotLeaderException("m2", "", ""));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getTrailers().containsKey(StatusMapping.NOT_PROPOSED_KEY)).isTrue();
    assertThat(e.getTrailers().containsKey(StatusMapping.LEADER_KEY)).isFalse();
  }

  @Test
  void stepDownAfterProposalKeepsTheHintButIsNotMarkedDefinite() {
    StatusRuntimeException e = StatusMapping.toStatus(
        new NotLeaderException("m1", "m3", "127.0.0.1:9003", true));
    assertThat(e.getTrailers().get(StatusMapping.LEADER_KEY)).isEqualTo("127.0.0.1:9003");
    assertThat(e.getTrailers().containsKey(StatusMapping.NOT_PROPOSED_KEY)).isFalse();
  }
}
