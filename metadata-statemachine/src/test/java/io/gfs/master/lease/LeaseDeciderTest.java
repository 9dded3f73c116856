package io.gfs.master.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseDeciderTest {

  private final AtomicLong nowMs = new AtomicLong(1_000_000);
  private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
  private final LeaseDecider decider =
      new LeaseDecider(clock, Duration.ofSeconds(60), Duration.ofSeconds(1));

  private static ChunkInfo chunk(String primary, long expiryMs) {
    return ChunkInfo.newBuilder().setHandle("h").setVersion(3).setPrimary(primary)
        .setLeaseExpiryMs(expiryMs)
        .addReplicas(ChunkLocation.newBuilder().setServerId("a"))
        .addReplicas(ChunkLocation.newBuilder().setServerId("b"))
        .addReplicas(ChunkLocation.newBuilder().setServerId("c"))
        .build();
  }

  @Test
  void validLeaseOfLiveHolderIsKept() {
    assertThat(decider.decide(chunk("a", nowMs.get() + 5000), Set.of("a", "b")::contains, ""))
        .isInstanceOf(LeaseDecision.Keep.class);
  }

  @Test
  void noNewPrimaryWhileTheOldLeaseMayStillBeValid() {
    // Holder a is not live, its lease still runs: nobody else may become primary.
    LeaseDecision d = decider.decide(chunk("a", nowMs.get() + 5000), Set.of("b")::contains, "");
    assertThat(d).isInstanceOf(LeaseDecision.Refuse.class);
    // Expired, but within the clock-skew margin: still refused.
    nowMs.addAndGet(5500);
    assertThat(decider.decide(chunk("a", nowMs.get() - 500), Set.of("b")::contains, ""))
        .isInstanceOf(LeaseDecision.Refuse.class);
  }

  @Test
  void grantToNewPrimaryBumpsTheVersionOnceSafe() {
    LeaseDecision d = decider.decide(chunk("a", nowMs.get() - 2000), Set.of("b", "c")::contains,
        "");
    assertThat(d).isInstanceOfSatisfying(LeaseDecision.Grant.class, g -> {
      assertThat(g.op().getPrimary()).isEqualTo("b");
      assertThat(g.op().getNewVersion()).isEqualTo(4);
      assertThat(g.op().getReplicasList()).containsExactly("b", "c");
      assertThat(g.op().getLeaseExpiryMs()).isEqualTo(nowMs.get() + 60_000);
    });
  }

  @Test
  void rejoinKeepsTheHolderAndAddsTheServerAtANewVersion() {
    ChunkInfo twoReplicas = chunk("a", nowMs.get() + 5000).toBuilder().removeReplicas(2).build();
    LeaseDecision d = decider.rejoin(twoReplicas, java.util.List.of("c", "b"));
    assertThat(d).isInstanceOfSatisfying(LeaseDecision.Grant.class, g -> {
      assertThat(g.op().getPrimary()).isEqualTo("a");
      assertThat(g.op().getNewVersion()).isEqualTo(4);
      assertThat(g.op().getReplicasList()).containsExactly("a", "b", "c");
      assertThat(g.op().getLeaseExpiryMs()).isEqualTo(nowMs.get() + 60_000);
    });
  }

  @Test
  void holderExtendsAtTheSameVersion() {
    LeaseDecision d = decider.decide(chunk("a", nowMs.get() + 10), Set.of("a")::contains, "a");
    assertThat(d).isInstanceOfSatisfying(LeaseDecision.Grant.class, g -> {
      assertThat(g.op().getPrimary()).isEqualTo("a");
      assertThat(g.op().getNewVersion()).isEqualTo(3);
    });
  }

  @Test
  void claimantThatIsNotUpToDateIsRefused() {
    assertThat(decider.decide(chunk("", 0), Set.of("a")::contains, "z"))
        .isInstanceOf(LeaseDecision.Refuse.class);
  }
}
