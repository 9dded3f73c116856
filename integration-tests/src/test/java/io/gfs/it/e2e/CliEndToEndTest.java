package io.gfs.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.it.cluster.MiniCluster;
import io.gfs.it.e2e.CliRunner.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: the real `gfs` entry point (Launcher → GfsCli) against a MiniCluster: file commands,
 * --json output parsed back, exit codes and one-line error messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliEndToEndTest {
  private static final int CHUNK = 256 * 1024;

  private MiniCluster cluster;
  private CliRunner gfs;

  @BeforeAll
  void startCluster(@TempDir Path dir) {
    cluster = MiniCluster.builder(dir).chunkservers(3).chunkSize(CHUNK).start();
    gfs = new CliRunner(cluster.masterAddresses());
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Result ok(String... args) {
    Result r = gfs.run(args);
    assertThat(r.exitCode()).as("gfs %s -> %s", List.of(args), r).isZero();
    return r;
  }

  /** The CLI names a missing path as "no such file ...: PATH [not_found]". */
  private static void assertOneLineError(Result r, int exitCode, String... fragments) {
    assertThat(r.exitCode()).as("%s", r).isEqualTo(exitCode);
    String err = r.err().strip();
    assertThat(err).as("one line").doesNotContain("\n").startsWith("gfs: ");
    assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(err).containsIgnoringCase(f);
    }
  }

  @Test
  void putGetCatOfAMultiChunkFile(@TempDir Path local) throws IOException {
    byte[] data = DataPathRoundTripTest.randomBytes(99, 3 * CHUNK + 4321);
    Path src = Files.write(local.resolve("src.bin"), data);
    ok("put", src.toString(), "/cli/big.bin");
    Path dst = local.resolve("dst.bin");
    ok("get", "/cli/big.bin", dst.toString());
    assertThat(Files.readAllBytes(dst)).isEqualTo(data);
    assertThat(ok("cat", "/cli/big.bin").outBytes()).isEqualTo(data);
    assertThat(ok("get", "/cli/big.bin", "-").outBytes()).isEqualTo(data);
    // put from stdin replaces the file atomically
    byte[] small = "replaced\n".getBytes();
    assertThat(gfs.runWithInput(small, "put", "-", "/cli/big.bin").exitCode()).isZero();
    assertThat(ok("cat", "/cli/big.bin").outBytes()).isEqualTo(small);
  }

  /**
   * get writes into an existing directory under the remote name, through a symbolic link to its
   * file, and into a FIFO (as into /dev/null) without replacing it — it once renamed its temp
   * file over /dev/null.
   */
  @Test
  void getIntoADirectoryThroughALinkAndIntoAPipeLikeCp(@TempDir Path local) throws Exception {
    byte[] data = DataPathRoundTripTest.randomBytes(41, 3 * CHUNK + 17);
    ok("put", Files.write(local.resolve("src.bin"), data).toString(), "/cli/get/f.bin");

    Path dir = Files.createDirectories(local.resolve("into"));
    ok("get", "/cli/get/f.bin", dir.toString());
    assertThat(Files.readAllBytes(dir.resolve("f.bin"))).isEqualTo(data);

    Path real = Files.write(local.resolve("real.bin"), new byte[] {1});
    Path link = Files.createSymbolicLink(local.resolve("link.bin"), real);
    ok("get", "/cli/get/f.bin", link.toString());
    assertThat(Files.isSymbolicLink(link)).as("the link is kept").isTrue();
    assertThat(Files.readAllBytes(real)).isEqualTo(data);

    Path fifo = local.resolve("pipe");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
      try {
        return Files.readAllBytes(fifo);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    Result r = gfs.run("get", "/cli/get/f.bin", fifo.toString());
    boolean stillAPipe = !Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS);
    if (!read.isDone() && stillAPipe) {
      Files.newOutputStream(fifo).close(); // the reader must not wait forever if get failed
    }
    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(stillAPipe).as("the FIFO is not replaced by a file").isTrue();
    assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(data);
  }

  @Test
  void appendPrintsEachRecordsOffset(@TempDir Path local) throws IOException {
    Path rec = Files.writeString(local.resolve("rec"), "first record\n");
    assertThat(ok("append", "/cli/log", rec.toString()).out().strip()).isEqualTo("0");
    Result second = gfs.runWithInput("second\n".getBytes(), "append", "/cli/log");
    assertThat(second.exitCode()).isZero();
    assertThat(second.out().strip()).isEqualTo("13");
    assertThat(ok("cat", "/cli/log").out()).isEqualTo("first record\nsecond\n");
  }

  @Test
  void namespaceCommands(@TempDir Path local) throws IOException {
    Path f = Files.writeString(local.resolve("f"), "0123456789");
    ok("mkdir", "-p", "/ns/a/b/c");
    ok("mkdir", "-p", "/ns/a/b/c");
    assertOneLineError(gfs.run("mkdir", "/ns/a"), 1, "/ns/a");
    ok("put", f.toString(), "/ns/a/b/c/file");
    ok("put", f.toString(), "/ns/a/top");

    assertThat(ok("ls", "/ns/a").out().lines().toList()).containsExactly("/ns/a/b/", "/ns/a/top");
    assertThat(ok("ls", "-R", "/ns/a").out().lines().toList())
        .containsExactly("/ns/a/b/", "/ns/a/b/c/", "/ns/a/b/c/file", "/ns/a/top");
    // The master's length of a file's last chunk trails the chunkservers by up to a heartbeat.
    Awaitility.await("ls -l shows the length").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      List<String> longLines = ok("ls", "-l", "/ns/a").out().lines().toList();
      assertThat(longLines).hasSize(2);
      assertThat(longLines.get(0)).startsWith("d").endsWith("/ns/a/b");
      assertThat(longLines.get(1))
          .matches("-\\s+10\\s+1\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d /ns/a/top");
    });
    Awaitility.await("stat shows the length").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(ok("stat", "/ns/a/b/c/file").out()).contains("path:")
            .contains("/ns/a/b/c/file").contains("type:").contains("file")
            .containsPattern("length:\\s+10"));

    ok("mv", "/ns/a/b/c/file", "/ns/a/moved");
    assertOneLineError(gfs.run("stat", "/ns/a/b/c/file"), 1,
        "no such file", "[not_found]", "/ns/a/b/c/file");
    assertThat(ok("cat", "/ns/a/moved").out()).isEqualTo("0123456789");
    assertOneLineError(gfs.run("mv", "/ns/a/top", "/ns/a/moved"), 1, "/ns/a/moved");
    ok("mv", "-f", "/ns/a/top", "/ns/a/moved");
    assertOneLineError(gfs.run("rm", "/ns/a"), 1, "/ns/a");
    ok("rm", "/ns/a/moved");
    ok("rm", "-r", "/ns/a");
    assertOneLineError(gfs.run("ls", "/ns/a"), 1,
        "no such file", "[not_found]", "/ns/a");
  }

  @Test
  void jsonOutputParsesBack(@TempDir Path local) throws IOException {
    Path f = Files.write(local.resolve("f"), DataPathRoundTripTest.randomBytes(3, CHUNK + 1));
    ok("put", f.toString(), "/json/dir/two-chunks");
    ok("mkdir", "-p", "/json/empty");

    List<Map<String, Object>> ls = JsonParser.array(ok("ls", "--json", "-R", "/json").out());
    assertThat(ls).extracting(m -> m.get("path"))
        .containsExactly("/json/dir", "/json/dir/two-chunks", "/json/empty");
    assertThat(ls).extracting(m -> m.get("type")).containsExactly("directory", "file", "directory");
    Awaitility.await("stat --json shows the length").atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(
            JsonParser.object(ok("stat", "--json", "/json/dir/two-chunks").out()))
            .containsEntry("length", CHUNK + 1L));
    Map<String, Object> stat =
        JsonParser.object(ok("stat", "--json", "/json/dir/two-chunks").out());
    assertThat(stat).containsEntry("namespace", "default").containsEntry("type", "file")
        .containsEntry("chunks", 2L).containsEntry("length", CHUNK + 1L);
    assertThat((String) stat.get("created")).matches("\\d{4}-.*Z");

    Map<String, Object> status = JsonParser.object(ok("cluster", "status", "--json").out());
    assertThat(status.get("leader")).isEqualTo(cluster.awaitLeader());
    assertThat((Long) status.get("files")).isPositive();
    assertThat((Long) status.get("chunks")).isPositive();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> servers = (List<Map<String, Object>>) status.get("chunkservers");
    assertThat(servers).extracting(m -> m.get("id")).containsExactly("cs1", "cs2", "cs3");
    for (Map<String, Object> s : servers) {
      assertThat(s.get("alive")).isEqualTo(true);
      assertThat((Long) s.get("totalBytes")).isPositive();
      assertThat((String) s.get("address")).startsWith("127.0.0.1:");
    }

    List<Map<String, Object>> raft = JsonParser.array(ok("raft", "status", "--json").out());
    assertThat(raft).hasSize(3);
    assertThat(raft).extracting(m -> m.get("address"))
        .containsExactlyElementsOf(cluster.masterAddressList());
    assertThat(raft).allSatisfy(m -> {
      assertThat(m.get("reachable")).isEqualTo(true);
      assertThat((Long) m.get("term")).isPositive();
      assertThat((Long) m.get("commitIndex")).isPositive();
    });
    assertThat(raft).filteredOn(m -> "LEADER".equals(m.get("role"))).singleElement()
        .satisfies(m -> assertThat(m.get("id")).isEqualTo(cluster.awaitLeader()));
  }

  @Test
  void errorsAreOneLineWithExitCodes() throws IOException {
    assertOneLineError(gfs.run("cat", "/no/such/file"), 1,
        "no such file", "[not_found]", "/no/such/file");
    assertOneLineError(gfs.run("get", "/no/such/file", "-"), 1,
        "no such file", "[not_found]", "/no/such/file");

    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Result r = gfs.run("ls", "--masters", "127.0.0.1:" + port, "--timeout", "2", "/");
    assertOneLineError(r, 1, "127.0.0.1:" + port);
    assertThat(r.err()).containsIgnoringCase("no master");

    assertThat(gfs.run("ls", "--no-such-flag").exitCode()).isEqualTo(2);
  }
}
