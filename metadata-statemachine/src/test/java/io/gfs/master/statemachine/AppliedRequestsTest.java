package io.gfs.master.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.gfs.proto.MasterResult;
import io.gfs.proto.RequestId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AppliedRequestsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final AppliedRequests requests = new AppliedRequests(Duration.ofSeconds(10), nanos::get);

  private static AppliedRequests.Key key(int client, long call) {
    byte[] id = new byte[16];
    id[15] = (byte) client;
    return AppliedRequests.Key.of(RequestId.newBuilder()
        .setClientId(ByteString.copyFrom(id)).setCallId(call).build());
  }

  private static MasterResult count(long n) {
    return MasterResult.newBuilder().setCount(n).build();
  }

  @Test
  void keysNeedASixteenByteClientId() {
    assertThat(AppliedRequests.Key.of(RequestId.newBuilder().setCallId(1).build())).isNull();
    assertThat(AppliedRequests.Key.of(RequestId.newBuilder().setCallId(1)
        .setClientId(ByteString.copyFrom(new byte[15])).build())).isNull();
    assertThat(key(1, 7)).isEqualTo(key(1, 7)).isNotEqualTo(key(1, 8)).isNotEqualTo(key(2, 7));
  }

  @Test
  void aResendJoinsTheProposalInFlightThenGetsTheAppliedResult() {
    CompletableFuture<MasterResult> first = new CompletableFuture<>();
    assertThat(requests.propose(key(1, 1), first)).isSameAs(first);
    assertThat(requests.propose(key(1, 1), new CompletableFuture<>())).isSameAs(first);
    assertThat(requests.get(key(1, 1))).isSameAs(first);

    assertThat(requests.applied(key(1, 1), count(3))).isTrue();
    assertThat(requests.get(key(1, 1))).isCompletedWithValue(count(3));
    // The proposal's own failure, after it was applied, does not forget the result.
    requests.proposalFailed(key(1, 1), first);
    assertThat(requests.get(key(1, 1))).isCompletedWithValue(count(3));
  }

  @Test
  void aFailedProposalIsForgottenSoTheNextResendProposesAgain() {
    CompletableFuture<MasterResult> first = new CompletableFuture<>();
    requests.propose(key(1, 1), first);
    first.completeExceptionally(new IllegalStateException("not leader"));
    requests.proposalFailed(key(1, 1), first);
    assertThat(requests.get(key(1, 1))).isNull();
    // ... and a failed proposal that was committed anyway is recorded when it is applied.
    CompletableFuture<MasterResult> second = new CompletableFuture<>();
    requests.propose(key(1, 2), second);
    second.completeExceptionally(new IllegalStateException("not leader"));
    assertThat(requests.applied(key(1, 2), count(1))).isTrue();
  }

  @Test
  void aSecondApplicationIsReported() {
    assertThat(requests.applied(key(1, 1), count(1))).isTrue();
    assertThat(requests.applied(key(1, 1), count(0))).isFalse();
  }

  @Test
  void resultsExpire() {
    requests.applied(key(1, 1), count(1));
    nanos.addAndGet(Duration.ofSeconds(6).toNanos());
    requests.applied(key(1, 2), count(1));
    nanos.addAndGet(Duration.ofSeconds(5).toNanos());
    requests.applied(key(1, 3), count(1));  // 11 s after the first: it goes
    assertThat(requests.get(key(1, 1))).isNull();
    assertThat(requests.get(key(1, 2))).isNotNull();
    assertThat(requests.size()).isEqualTo(2);
  }
}
