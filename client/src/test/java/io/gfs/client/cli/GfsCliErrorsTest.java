package io.gfs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI's contract for failures: exit code and a single line on stderr, no stack trace. */
class GfsCliErrorsTest {

  record Result(int code, String out, String err) {
  }

  static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    GfsCli cli = new GfsCli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
        env);
    int code = GfsCli.commandLine(cli).execute(args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort(); // closed again: nothing listens there
    }
  }

  @Test
  void noReachableMasterFailsWithOneLineAndExitOne() throws Exception {
    String dead = "127.0.0.1:" + freePort();
    for (String[] args : new String[][] {
        {"--masters", dead, "--timeout", "1", "ls", "/"},
        {"ls", "--masters", dead, "--timeout", "1", "/"}}) {
      Result r = run(Map.of(), args);
      assertThat(r.code()).as("exit code of %s", String.join(" ", args)).isEqualTo(1);
      assertThat(r.err()).startsWith("gfs: ").contains("no master leader reachable")
          .contains(dead).doesNotContain("\tat ");
      assertThat(r.err().strip().lines()).hasSize(1);
    }
  }

  @Test
  void mastersComeFromTheEnvironmentWhenNoFlagIsGiven() throws Exception {
    String dead = "127.0.0.1:" + freePort();
    Result r = run(Map.of("GFS_MASTERS", dead), "--timeout", "1", "stat", "/x");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(dead);
  }

  @Test
  void raftStatusWithNoReachableMasterSaysSoOnStderr() throws Exception {
    String dead = "127.0.0.1:" + freePort();
    Result r = run(Map.of(), "--masters", dead, "--timeout", "1", "raft", "status");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("gfs: no master reachable").contains(dead);
    assertThat(r.out()).contains("NO");
  }

  @Test
  void badUsageExitsTwo() {
    Result r = run(Map.of(), "mv", "/only-one-argument");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter");
  }

  @Test
  void badMasterAddressIsAUsageError() {
    Result r = run(Map.of(), "--masters", "nonsense", "ls", "/");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("gfs: bad address 'nonsense'");
  }

  @Test
  void helpListsTheCommands() {
    Result r = run(Map.of(), "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("put", "get", "cat", "append", "ls", "stat", "mkdir", "mv", "rm",
        "cluster", "raft");
  }
}
