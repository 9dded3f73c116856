package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.it.e2e.CliRunner.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: `gfs local` as a separate JVM (the Launcher's main on this test classpath): it gets
 * ready, serves the CLI, stops on SIGTERM, and a restart on the same directory still has the file.
 */
class LocalProcessTest {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(150);

  private final List<Process> started = new ArrayList<>();
  /** Kills what this test started if the JVM goes down before the test's own cleanup runs. */
  private final Thread reaper = new Thread(this::killAll, "gfs-local-reaper");

  @AfterEach
  void killAll() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (Thread.currentThread() != reaper) {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException | IllegalArgumentException ignored) {
        // shutting down already, or never added
      }
    }
  }

  /** Base ports below the Linux ephemeral range whose whole block is free right now. */
  private static int[] freeBasePorts() throws IOException {
    Random random = new Random();
    for (int attempt = 0; attempt < 50; attempt++) {
      int master = 20_000 + 100 * random.nextInt(60);
      int chunkserver = master + 50;
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ports.add(master + i);
        ports.add(master + 10 + i);
        for (int k = 0; k < 3; k++) {
          ports.add(chunkserver + 10 * i + k);
        }
      }
      if (ports.stream().allMatch(LocalProcessTest::isFree)) {
        return new int[] {master, chunkserver};
      }
    }
    throw new IOException("no free block of ports found in 50 attempts");
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Process startLocal(Path dataDir, int[] ports, Path log) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Two CPUs as the JVM sees them, whatever the machine: the JDK would then give its common
    // pool a parallelism of 1, which the launcher must raise (CommonPool).
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:ActiveProcessorCount=2",
        "-cp", classpath,
        "io.gfs.launcher.Launcher", "local", "--dir", dataDir.toString(),
        "--master-base-port", String.valueOf(ports[0]),
        "--chunkserver-base-port", String.valueOf(ports[1]), "--chunk-size", "1MiB")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    if (started.isEmpty()) {
      Runtime.getRuntime().addShutdownHook(reaper);
    }
    Process p = pb.start();
    started.add(p);
    Awaitility.await("gfs local ready").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          String out = Files.readString(log, StandardCharsets.UTF_8);
          if (!p.isAlive()) {
            throw new AssertionError("gfs local exited with " + p.exitValue() + ":\n" + out);
          }
          return out.contains("gfs local: ready");
        });
    return p;
  }

  private static void stop(Process p, Path log) throws Exception {
    p.destroy(); // SIGTERM: the shutdown hook stops the cluster cleanly
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("gfs local exits on SIGTERM").isTrue();
    assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("gfs local: stopping");
  }

  @Test
  void localClusterServesTheCliAndKeepsFilesAcrossARestart(@TempDir Path dir) throws Exception {
    int[] ports = freeBasePorts();
    String masters = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + (ports[0] + 1) + ",127.0.0.1:"
        + (ports[0] + 2);
    CliRunner gfs = new CliRunner(masters);
    Path data = dir.resolve("gfs-data");
    byte[] content = DataPathRoundTripTest.randomBytes(4, (5 << 20) / 2);
    Path src = Files.write(dir.resolve("src"), content);

    Path log1 = dir.resolve("local-1.log");
    Process first = startLocal(data, ports, log1);
    Result put = gfs.run("put", src.toString(), "/local/file");
    assertThat(put.exitCode()).as("%s", put).isZero();
    assertThat(gfs.run("cat", "/local/file").outBytes()).isEqualTo(content);
    assertThat(gfs.run("stat", "--json", "/local/file").out()).contains("\"chunks\":3");
    assertThat(Files.readString(log1, StandardCharsets.UTF_8))
        .as("Ratis's async tasks run on a pool, not a new thread each")
        .contains("commonPoolParallelism=2").doesNotContain("starts a new thread");
    stop(first, log1);
    assertThat(gfs.run("ls", "--timeout", "2", "/").exitCode()).as("nothing serves any more")
        .isEqualTo(1);

    Path log2 = dir.resolve("local-2.log");
    Process second = startLocal(data, ports, log2);
    Path back = dir.resolve("back");
    Result get = gfs.run("get", "/local/file", back.toString());
    assertThat(get.exitCode()).as("%s", get).isZero();
    assertThat(Files.readAllBytes(back)).isEqualTo(content);
    stop(second, log2);
  }
}
