package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.chunkserver.storage.ChunkStore;
import io.gfs.client.FileStatus;
import io.gfs.client.GfsClient;
import io.gfs.client.GfsException;
import io.gfs.client.internal.ChunkIo;
import io.gfs.client.internal.DefaultChunkIo;
import io.gfs.client.internal.HostPorts;
import io.gfs.it.cluster.MiniCluster;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkserverStatus;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: a chunkserver whose data directory is full (a small tmpfs). With three replicas the
 * full one is a secondary: it takes commits while its chunk file's preallocated tail lasts, then
 * the writes commit on the other two (2-of-3 quorum) and the full replica is dropped as stale. With a single chunkserver there is no quorum without it: the client gets
 * RESOURCE_EXHAUSTED, nothing is half-committed, and the server keeps serving reads.
 */
class DiskFullTest {
  private static final int CHUNK = 1 << 20;
  private static final int RECORD = 20_000;
  /** Bounded by the chunk: all of them fit in one. */
  private static final int RECORDS_MAX = CHUNK / RECORD - 2;
  private static final long TMPFS_BYTES = 4L << 20;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Tmpfs tmpfs;
  private MiniCluster cluster;

  private void mount(Path dir) {
    Object m = Tmpfs.tryMount(dir.resolve("tmpfs"), TMPFS_BYTES);
    Assumptions.assumeTrue(m instanceof Tmpfs,
        () -> "disk-full test needs a tmpfs mount (root and mount(8)): " + m);
    tmpfs = (Tmpfs) m;
  }

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  private static byte[] record(int n) {
    byte[] b = new byte[RECORD];
    java.util.Arrays.fill(b, (byte) n);
    return b;
  }

  private void awaitMasterSeesFull(GfsClient gfs, String id) {
    Awaitility.await(id + " reported full").atMost(WAIT).untilAsserted(() ->
        assertThat(gfs.clusterStatus().getChunkserversList())
            .filteredOn(c -> c.getServerId().equals(id)).singleElement()
            .satisfies(c -> assertThat(c.getFreeBytes()).isLessThan(CHUNK)));
  }

  private static void assertNoStaging(Path dataDir) {
    Awaitility.await("staging of " + dataDir + " empty").atMost(WAIT).untilAsserted(() -> {
      try (Stream<Path> s = Files.list(dataDir.resolve("staging"))) {
        assertThat(s.toList()).isEmpty();
      }
    });
  }

  @Test
  void aFullSecondaryDoesNotStopWritesWhichCommitOnTheOtherTwo(@TempDir Path dir)
      throws Exception {
    mount(dir);
    cluster = MiniCluster.builder(dir).chunkservers(3).chunkSize(CHUNK)
        .dataDir("cs3", tmpfs.dir().resolve("cs3")).start();
    GfsClient gfs = cluster.newClient();
    byte[] before = DataPathRoundTripTest.randomBytes(5, CHUNK / 2);
    gfs.writeFile("/f/before", before);
    // a log whose chunk has cs3 as a secondary (the primary is chosen by the master)
    String log = null;
    ChunkInfo chunk = null;
    for (int i = 0; i < 8 && log == null; i++) {
      gfs.appendFile("/f/log" + i, record(0));
      ChunkInfo c = cluster.chunkLocations("/f/log" + i).getChunks(0);
      if (!c.getPrimary().equals("cs3") && c.getReplicasList().stream()
          .anyMatch(r -> r.getServerId().equals("cs3"))) {
        log = "/f/log" + i;
        chunk = c;
      }
    }
    assertThat(log).as("a chunk with cs3 as a secondary").isNotNull();

    cluster.awaitReplicasCommitted(chunk.getHandle(), RECORD, cluster.chunkserverIds());
    tmpfs.fill();
    // cs3 commits within its chunk file's preallocated tail, no further: the first record past
    // it cannot reach its disk, and the appends go on on the other two
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(record(0));
    String chosen = log;
    for (int n = 1; n <= RECORDS_MAX && cluster.replicaIds(chosen, 0).contains("cs3"); n++) {
      assertThat(gfs.appendFile(log, record(n))).isEqualTo((long) n * RECORD);
      expected.writeBytes(record(n));
    }
    assertThat(gfs.readFile(log)).isEqualTo(expected.toByteArray());
    String handle = chunk.getHandle();
    Awaitility.await("the full replica is dropped").atMost(WAIT).untilAsserted(() ->
        assertThat(cluster.replicaIds(chosen, 0))
            .doesNotContain("cs3").hasSize(2));
    // nothing half-committed on the full server: its copy ends at the last whole record that
    // fitted in the preallocated tail
    assertThat(cluster.chunkserver("cs3").node().store().state(handle).orElseThrow()
        .committedLength()).isEqualTo(ChunkStore.PREALLOCATE_STEP / RECORD * (long) RECORD);
    assertNoStaging(cluster.chunkserver("cs3").dataDir());

    // new chunks go elsewhere once the master knows cs3 is full
    awaitMasterSeesFull(gfs, "cs3");
    byte[] after = DataPathRoundTripTest.randomBytes(6, CHUNK + 3);
    gfs.writeFile("/f/after", after);
    assertThat(gfs.readFile("/f/after")).isEqualTo(after);
    assertThat(cluster.replicaIds("/f/after", 0)).doesNotContain("cs3").hasSize(2);

    // the full server is up and serves what it holds
    ChunkInfo b = cluster.chunkLocations("/f/before").getChunks(0);
    assertThat(b.getReplicasList()).extracting(r -> r.getServerId()).contains("cs3");
    try (ChunkIo io = DefaultChunkIo.create(Duration.ofSeconds(10))) {
      ChunkIo.ReadResult r = io.read(new HostPorts.HostPort("127.0.0.1",
              cluster.chunkserver("cs3").dataPort()), UUID.fromString(b.getHandle()),
          b.getVersion(), 0, before.length).get(20, TimeUnit.SECONDS);
      byte[] got = new byte[r.data().remaining()];
      r.data().get(got);
      assertThat(got).isEqualTo(before);
    }
    assertThat(gfs.clusterStatus().getChunkserversList()).allMatch(ChunkserverStatus::getAlive);
  }

  @Test
  void aSingleFullChunkserverGivesAClearErrorAndKeepsServingReads(@TempDir Path dir)
      throws Exception {
    mount(dir);
    cluster = MiniCluster.builder(dir).chunkservers(1).chunkSize(CHUNK)
        .dataDir("cs1", tmpfs.dir().resolve("cs1")).start();
    GfsClient gfs = cluster.newClient();
    byte[] before = DataPathRoundTripTest.randomBytes(7, CHUNK + 100);
    gfs.writeFile("/g/before", before);
    gfs.appendFile("/g/log", record(1));
    cluster.awaitReplicasCommitted(cluster.chunkLocations("/g/log").getChunks(0).getHandle(),
        RECORD, cluster.chunkserverIds());
    tmpfs.fill();
    assertThatThrownBy(() -> gfs.appendFile("/g/log", record(2)))
        .isInstanceOfSatisfying(GfsException.class, e -> {
          assertThat(e.code()).isEqualTo(GfsException.Code.RESOURCE_EXHAUSTED);
          assertThat(e.getMessage()).containsIgnoringCase("space");
        });
    assertThat(gfs.readFile("/g/log")).isEqualTo(record(1));
    Path data = cluster.chunkserver("cs1").dataDir();
    assertNoStaging(data);

    awaitMasterSeesFull(gfs, "cs1");
    assertThatThrownBy(() -> gfs.writeFile("/g/new", before))
        .isInstanceOfSatisfying(GfsException.class,
            e -> assertThat(e.code()).isEqualTo(GfsException.Code.RESOURCE_EXHAUSTED));
    assertThat(gfs.list("/g", true)).extracting(FileStatus::path)
        .as("no half-written file is left behind").containsExactly("/g/before", "/g/log");
    assertThat(gfs.readFile("/g/before")).isEqualTo(before);

    // space again: writes work again, on the same server
    tmpfs.drain();
    Awaitility.await("appends work again").atMost(WAIT).ignoreExceptions()
        .until(() -> gfs.appendFile("/g/log", record(3)) >= RECORD);
    byte[] log = gfs.readFile("/g/log");
    assertThat(java.util.Arrays.copyOf(log, RECORD)).isEqualTo(record(1));
    assertThat(java.util.Arrays.copyOfRange(log, log.length - RECORD, log.length))
        .isEqualTo(record(3));
  }
}
