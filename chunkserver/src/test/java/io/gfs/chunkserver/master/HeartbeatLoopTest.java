package io.gfs.chunkserver.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.testing.TestCluster;
import io.gfs.proto.ChunkCommand;
import io.gfs.proto.ChunkReport;
import io.gfs.proto.CopyChunkCommand;
import io.gfs.proto.DeleteChunkCommand;
import io.gfs.proto.HeartbeatRequest;
import io.gfs.proto.RegisterRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatLoopTest {
  @TempDir Path dir;
  private TestCluster cluster;
  private final String handle = UUID.randomUUID().toString();

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void registersWithIdentityUsageAndInventoryIncludingLeases() throws Exception {
    cluster = new TestCluster(dir, 1, 1 << 20);
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.registrations
        .containsKey("cs1"));
    RegisterRequest reg = cluster.master.registrations.get("cs1");
    assertThat(reg.getIdentity().getAddress().getHost()).isEqualTo("127.0.0.1");
    assertThat(reg.getIdentity().getAddress().getReplicationPort())
        .isEqualTo(cluster.node(0).location().getReplicationPort()).isPositive();
    assertThat(reg.getIdentity().getBuildInfo()).isEqualTo("test");
    assertThat(reg.getUsage().getDiskTotalBytes()).isPositive();
    assertThat(reg.getUsage().getFreeBytes()).isPositive();
    assertThat(reg.getUsage().getMemoryTotalBytes()).isPositive();

    cluster.master.assign(handle, 1, "cs1", cluster.locations(0));
    cluster.write(0, handle, 1, -1, new byte[123]).get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      HeartbeatRequest hb = cluster.master.heartbeats.get("cs1");
      return hb != null && hb.getChunksList().stream().anyMatch(c -> c.getHandle().equals(handle)
          && c.getCommittedLength() == 123 && c.getVersion() == 1 && c.getLeaseExpiryMs() > 0);
    });
  }

  @Test
  void registersAgainWhenTheMasterAsks() throws Exception {
    cluster = new TestCluster(dir, 1, 1 << 20);
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.heartbeats
        .containsKey("cs1"));
    int before = cluster.master.registerCalls.get();
    cluster.master.askReregister = true;
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.registerCalls.get()
        > before);
  }

  @Test
  void executesLeaderCommandsButIgnoresOlderTerms() throws Exception {
    cluster = new TestCluster(dir, 2, 8 << 20);
    cluster.master.assign(handle, 1, "cs1", cluster.locations(0));
    // several 1 MiB copy pieces
    byte[] big = new byte[1_500_000];
    new java.util.Random(7).nextBytes(big);
    cluster.write(0, handle, 1, 0, big).get(60, TimeUnit.SECONDS);
    cluster.write(0, handle, 1, big.length, big).get(60, TimeUnit.SECONDS);
    cluster.write(0, handle, 1, 2L * big.length, new byte[4321]).get(60, TimeUnit.SECONDS);
    long total = 2L * big.length + 4321;

    cluster.master.setTerm(5);
    cluster.master.commandsFor("cs2").add(ChunkCommand.newBuilder().setTerm(5).setCopyChunk(
        CopyChunkCommand.newBuilder().setHandle(handle).setVersion(1)
            .setSource(cluster.node(0).location())).build());
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(1).store().state(handle)
        .map(m -> m.committedLength() == total).orElse(false));
    assertThat(cluster.committedBytes(1, handle)).isEqualTo(cluster.committedBytes(0, handle));

    cluster.master.commandsFor("cs1").add(ChunkCommand.newBuilder().setTerm(4).setDeleteChunk(
        DeleteChunkCommand.newBuilder().setHandle(handle)).build());
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.commandsFor("cs1")
        .isEmpty());
    // the stale command was delivered and dropped; a current one is obeyed
    int seen = cluster.master.heartbeatCalls.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.heartbeatCalls.get()
        > seen + 4);
    assertThat(cluster.node(0).store().state(handle)).isPresent();
    cluster.master.commandsFor("cs1").add(ChunkCommand.newBuilder().setTerm(5).setDeleteChunk(
        DeleteChunkCommand.newBuilder().setHandle(handle)).build());
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(0).store().state(handle)
        .isEmpty());
    assertThat(cluster.node(1).store().state(handle)).isPresent();
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.master.heartbeats.get("cs1")
        .getChunksList().stream().map(ChunkReport::getHandle).noneMatch(handle::equals));
  }
}
