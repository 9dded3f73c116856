package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.chunkserver.storage.BuildDirTempDirs;
import io.gfs.client.GfsClient;
import io.gfs.it.cluster.MiniCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file written in large WRITEs (which bypass the page cache) is read back through the SDK by
 * direct reads on real chunkservers: byte for byte, and the chunkservers say they read directly.
 * The cluster lives under the build directory, not the system's temporary directory, which may
 * be a tmpfs (no direct I/O there).
 */
class DirectReadEndToEndTest {
  private static final int MIB = 1 << 20;
  private static final String DIRECT_BYTES = "gfs.chunkserver.dataplane.read.direct.bytes";

  @TempDir(factory = BuildDirTempDirs.class)
  Path dir;
  private MiniCluster cluster;

  @BeforeEach
  void start() throws IOException {
    cluster = MiniCluster.builder(dir).chunkservers(3).chunkSize(8 * MIB).start();
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private long directBytes() {
    return cluster.chunkserverIds().stream()
        .mapToLong(id -> cluster.chunkserver(id).node().metrics().meter(DIRECT_BYTES).getCount())
        .sum();
  }

  @Test
  void aFileWrittenPastThePageCacheIsReadBackDirectly() throws Exception {
    byte[] data = DataPathRoundTripTest.randomBytes(11, 2 * 8 * MIB + 3 * MIB + 4321);
    try (GfsClient gfs = cluster.newClient()) {
      gfs.writeFile("/direct/f", data);
      long before = directBytes();
      try (InputStream in = gfs.openInputStream("/direct/f")) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
      assertThat(directBytes() - before)
          .as("bytes the chunkservers read directly: the 4 MiB pieces of the two full chunks")
          .isGreaterThanOrEqualTo(16L * MIB);
    }
  }
}
