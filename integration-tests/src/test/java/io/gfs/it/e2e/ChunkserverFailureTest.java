package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.GfsClient;
import io.gfs.it.cluster.MiniCluster;
import io.gfs.proto.ChunkInfo;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: the data path with a chunkserver down, restarted, or holding a corrupt replica — each
 * against three real masters and three real chunkservers.
 */
class ChunkserverFailureTest {
  private static final int CHUNK = 256 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private MiniCluster cluster;
  private GfsClient gfs;

  @BeforeEach
  void start(@TempDir Path dir) {
    cluster = MiniCluster.builder(dir).chunkservers(3).chunkSize(CHUNK).start();
    // no location cache: every read asks the master which replicas are up to date
    gfs = cluster.clientBuilder().locationCacheTtl(Duration.ZERO).build();
  }

  @AfterEach
  void stop() {
    if (gfs != null) {
      gfs.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static byte[] record(int n, int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (n * 31 + i);
    }
    return b;
  }

  /** Appends records n..n+count-1 and checks each lands right after the previous one. */
  private long appendRun(String path, int first, int count, int size, long expectedOffset,
      ByteArrayOutputStream expected) {
    long offset = expectedOffset;
    for (int n = first; n < first + count; n++) {
      byte[] r = record(n, size);
      long at = gfs.appendFile(path, r);
      assertThat(at).as("offset of record %d", n).isEqualTo(offset);
      expected.writeBytes(r);
      offset += size;
    }
    return offset;
  }

  @Test
  void oneChunkserverDownWritesAndAppendsSucceedAndTheLaggardIsNotReadFrom() {
    String log = "/b/log";
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    long end = appendRun(log, 0, 5, 1000, 0, expected);
    byte[] before = DataPathRoundTripTest.randomBytes(11, 2 * CHUNK + 99);
    gfs.writeFile("/b/before", before);
    assertThat(cluster.replicaIds(log, 0)).containsExactly("cs1", "cs2", "cs3");
    // stop a secondary of the log's chunk (a stopped primary is covered by lease expiry)
    ChunkInfo chunk = cluster.chunkLocations(log).getChunks(0);
    String down = cluster.chunkserverIds().stream().filter(id -> !id.equals(chunk.getPrimary()))
        .findFirst().orElseThrow();
    cluster.awaitReplicasCommitted(chunk.getHandle(), 5000, cluster.chunkserverIds());

    cluster.stopChunkserver(down);
    // before the master notices: reads fail over from the dead replica to a live one
    assertThat(gfs.readFile("/b/before")).isEqualTo(before);
    end = appendRun(log, 5, 5, 1000, end, expected);
    cluster.awaitChunkserverDead(down);
    end = appendRun(log, 10, 5, 1000, end, expected);
    byte[] during = DataPathRoundTripTest.randomBytes(12, 3 * CHUNK + 5);
    gfs.writeFile("/b/during", during);
    assertThat(gfs.readFile("/b/before")).isEqualTo(before);
    assertThat(gfs.readFile("/b/during")).isEqualTo(during);
    assertThat(gfs.readFile(log)).isEqualTo(expected.toByteArray());
    assertThat(cluster.replicaIds("/b/during", 0)).doesNotContain(down).hasSize(2);

    cluster.startChunkserver(down);
    // Its copy of the log's chunk is short: it missed appends 5..14.
    Path stale = cluster.replicaFiles(chunk.getHandle()).get(down);
    assertThat(stale).as("the restarted server still has its old copy").isNotNull();
    assertThat(size(stale)).isEqualTo(5 * 1000L);
    assertThat(cluster.replicaIds(log, 0)).as("the master lists only up-to-date replicas")
        .doesNotContain(down).hasSize(2);
    for (int i = 0; i < 5; i++) {
      assertThat(gfs.readFile(log)).isEqualTo(expected.toByteArray());
      assertThat(gfs.read(log, 4000, 2000)).isEqualTo(
          java.util.Arrays.copyOfRange(expected.toByteArray(), 4000, 6000));
    }
    // and appends after its return still go after everything acknowledged
    appendRun(log, 15, 3, 1000, end, expected);
    assertThat(gfs.readFile(log)).isEqualTo(expected.toByteArray());
  }

  @Test
  void aStoppedPrimaryIsReplacedAndAppendsContinue() {
    String log = "/b/primary-log";
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    long end = appendRun(log, 0, 5, 1000, 0, expected);
    ChunkInfo chunk = cluster.chunkLocations(log).getChunks(0);
    String primary = chunk.getPrimary();
    assertThat(primary).isNotEmpty();
    cluster.awaitReplicasCommitted(chunk.getHandle(), 5000, cluster.chunkserverIds());

    cluster.stopChunkserver(primary);
    // the next append waits out the old lease, then goes to a new primary (version bump)
    end = appendRun(log, 5, 5, 1000, end, expected);
    assertThat(gfs.readFile(log)).isEqualTo(expected.toByteArray());
    ChunkInfo now = cluster.chunkLocations(log).getChunks(0);
    assertThat(now.getPrimary()).isNotEqualTo(primary);
    assertThat(now.getVersion()).isGreaterThan(chunk.getVersion());

    cluster.startChunkserver(primary);
    assertThat(cluster.replicaIds(log, 0)).doesNotContain(primary).hasSize(2);
    appendRun(log, 10, 2, 1000, end, expected);
    assertThat(gfs.readFile(log)).isEqualTo(expected.toByteArray());
  }

  @Test
  void appendsAfterAChunkserverRestartLandAfterTheExistingData() {
    String log = "/c/log";
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    long end = appendRun(log, 0, 5, 1500, 0, expected);
    List<String> restarted = new ArrayList<>();
    // the primary first (LESSONS #5: its offset allocator must not restart at 0), then a secondary
    String primary = cluster.chunkLocations(log).getChunks(0).getPrimary();
    assertThat(primary).isNotEmpty();
    restarted.add(primary);
    cluster.stopChunkserver(primary);
    cluster.startChunkserver(primary);
    end = appendRun(log, 5, 5, 1500, end, expected);
    assertThat(gfs.readFile(log)).isEqualTo(expected.toByteArray());

    ChunkInfo now = cluster.chunkLocations(log).getChunks(0);
    String secondary = now.getReplicasList().stream().map(r -> r.getServerId())
        .filter(id -> !id.equals(now.getPrimary())).findFirst().orElseThrow();
    restarted.add(secondary);
    cluster.stopChunkserver(secondary);
    cluster.startChunkserver(secondary);
    end = appendRun(log, 10, 5, 1500, end, expected);

    assertThat(end).isEqualTo(15 * 1500L);
    assertThat(gfs.readFile(log)).as("after restarting %s", restarted)
        .isEqualTo(expected.toByteArray());
    Awaitility.await("master learns the length").atMost(WAIT)
        .untilAsserted(() -> assertThat(gfs.stat(log).length()).isEqualTo(15 * 1500L));
  }

  @Test
  void aCorruptReplicaIsNotServedAndIsReportedToTheMaster() throws Exception {
    String path = "/e/file";
    byte[] data = DataPathRoundTripTest.randomBytes(21, 2 * CHUNK + 10);
    gfs.writeFile(path, data);
    ChunkInfo chunk = cluster.chunkLocations(path).getChunks(0);
    assertThat(chunk.getReplicasCount()).isEqualTo(3);
    // The replica a reader tries first (the primary, else the first listed): corrupt that one.
    String victim = chunk.getPrimary().isEmpty() ? chunk.getReplicas(0).getServerId()
        : chunk.getPrimary();
    Map<String, Path> files = cluster.replicaFiles(chunk.getHandle());
    assertThat(files).containsOnlyKeys("cs1", "cs2", "cs3");
    flipByte(files.get(victim), 70_000);

    assertThat(gfs.read(path, 0, CHUNK)).isEqualTo(java.util.Arrays.copyOf(data, CHUNK));
    Awaitility.await("the master drops the corrupt replica").atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster.replicaIds(path, 0)).doesNotContain(victim)
            .hasSize(2));
    for (int i = 0; i < 3; i++) {
      assertThat(gfs.readFile(path)).isEqualTo(data);
    }
  }

  private static void flipByte(Path file, long position) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      assertThat(ch.read(b, position)).isEqualTo(1);
      b.flip();
      b.put(0, (byte) (b.get(0) ^ 0x5a));
      assertThat(ch.write(b, position)).isEqualTo(1);
      ch.force(true);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
