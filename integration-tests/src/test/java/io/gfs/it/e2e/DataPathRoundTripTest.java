package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.client.GfsClient;
import io.gfs.it.cluster.MiniCluster;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 3: whole files through the SDK, the Netty data plane and three real chunkservers come
 * back byte for byte, whole, by range across chunk boundaries and as a stream (LESSONS #11, #17).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPathRoundTripTest {
  private static final int CHUNK = 256 * 1024;

  private MiniCluster cluster;
  private GfsClient gfs;

  @BeforeAll
  void startCluster(@TempDir Path dir) {
    cluster = MiniCluster.builder(dir).chunkservers(3).chunkSize(CHUNK).start();
    gfs = cluster.newClient();
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static byte[] randomBytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, CHUNK, 5 * CHUNK + 12_345})
  void fileReadsBackByteIdentical(int size) throws Exception {
    String path = "/roundtrip/f" + size;
    byte[] data = randomBytes(size, size);
    gfs.writeFile(path, data);

    assertThat(gfs.readFile(path)).isEqualTo(data);
    try (InputStream in = gfs.openInputStream(path)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    int chunks = (size + CHUNK - 1) / CHUNK;
    assertThat(cluster.chunkLocations(path).getChunksCount())
        .as("chunks allocated (never past EOF)").isEqualTo(chunks);
    Awaitility.await("master learns the length").atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(gfs.stat(path).length()).isEqualTo(size));
  }

  @Test
  void rangeReadsAtChunkBoundaries() {
    int size = 3 * CHUNK + 777;
    byte[] data = randomBytes(7, size);
    String path = "/roundtrip/ranges";
    gfs.writeFile(path, data);

    long[][] ranges = {
        {0, 1}, {CHUNK - 1, 2}, {CHUNK, CHUNK}, {CHUNK - 100, CHUNK + 200},
        {2 * CHUNK, 3 * CHUNK}, {3 * CHUNK, 777}, {3 * CHUNK + 776, 1}, {0, size},
        {size - 10, 100}, {size, 10}, {size + 5, 10}, {0, 0}};
    for (long[] r : ranges) {
      byte[] got = gfs.read(path, r[0], (int) r[1]);
      int from = (int) Math.min(r[0], size);
      int to = (int) Math.min(r[0] + r[1], size);
      assertThat(got).as("read(%d, %d)", r[0], r[1]).isEqualTo(Arrays.copyOfRange(data, from, to));
    }
  }

  @Test
  void overwriteReplacesTheWholeContent() {
    String path = "/roundtrip/replaced";
    gfs.writeFile(path, randomBytes(1, 2 * CHUNK + 5));
    byte[] second = randomBytes(2, CHUNK / 2);
    gfs.writeFile(path, second);
    assertThat(gfs.readFile(path)).isEqualTo(second);
  }
}
