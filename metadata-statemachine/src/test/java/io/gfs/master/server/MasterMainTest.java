package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MasterMainTest {

  private static final String PEERS =
      "m1=127.0.0.1:9010:9000,m2=127.0.0.1:9011:9001,m3=127.0.0.1:9012:9002";

  @TempDir
  Path dir;

  @Test
  void flagsOverrideTheConfigFile() throws Exception {
    Path file = dir.resolve("master.properties");
    Files.writeString(file, "node-id=m1\npeers=" + PEERS + "\ndata-dir=" + dir
        + "\nlease-duration=30s\nchunk-size=1MiB\ncheckpoint-on-stop=false\n");
    MasterMain main = new MasterMain();
    new CommandLine(main).parseArgs("--config", file.toString(), "--node-id", "m2",
        "--election-timeout-min", "500ms", "--election-timeout-max", "900ms",
        "--writes-in-flight", "3");
    MasterConfig c = MasterMain.toConfig(main.settings());
    assertThat(c.nodeId()).isEqualTo("m2");
    assertThat(c.self().apiPort()).isEqualTo(9001);
    assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.chunkSizeBytes()).isEqualTo(1 << 20);
    assertThat(c.electionTimeoutMin()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.checkpointThreshold()).isEqualTo(MasterConfig.DEFAULT_CHECKPOINT_THRESHOLD);
    assertThat(c.writesInFlight()).isEqualTo(3);
    assertThat(c.checkpointOnStop()).isFalse();
    MasterMain byFlag = new MasterMain();
    new CommandLine(byFlag).parseArgs("--node-id", "m1", "--peers", PEERS, "--data-dir",
        dir.toString(), "--checkpoint-on-stop", "false");
    assertThat(MasterMain.toConfig(byFlag.settings()).checkpointOnStop()).isFalse();
    MasterMain defaults = new MasterMain();
    new CommandLine(defaults).parseArgs("--node-id", "m1", "--peers", PEERS, "--data-dir",
        dir.toString());
    assertThat(MasterMain.toConfig(defaults.settings()).checkpointOnStop()).isTrue();
  }

  /** The written-out toString (no record bootstrap at start) still shows every component. */
  @Test
  void configToStringNamesEveryComponent() throws Exception {
    MasterMain main = new MasterMain();
    new CommandLine(main).parseArgs("--node-id", "m2", "--peers", PEERS, "--data-dir",
        dir.toString(), "--writes-in-flight", "3");
    MasterConfig c = MasterMain.toConfig(main.settings());
    StringBuilder expected = new StringBuilder("MasterConfig[");
    for (var component : MasterConfig.class.getRecordComponents()) {
      if (expected.length() > "MasterConfig[".length()) {
        expected.append(", ");
      }
      expected.append(component.getName()).append('=')
          .append(component.getAccessor().invoke(c));
    }
    assertThat(c.toString()).isEqualTo(expected.append(']').toString());
  }

  @Test
  void badConfigurationExitsWithCode2AndOneLine() {
    assertBadConfig("node id 'm9' is not one of the peers", "--node-id", "m9", "--peers", PEERS,
        "--data-dir", dir.toString());
    assertBadConfig("bad peer 'm1=127.0.0.1:9010'", "--node-id", "m1", "--peers",
        "m1=127.0.0.1:9010", "--data-dir", dir.toString());
    assertBadConfig("exactly 3 peers", "--node-id", "m1", "--peers", "m1=127.0.0.1:9010:9000",
        "--data-dir", dir.toString());
    assertBadConfig("data-dir is required", "--node-id", "m1", "--peers", PEERS);
    assertBadConfig("lease-duration: 'soon' is not a duration", "--node-id", "m1", "--peers",
        PEERS, "--data-dir", dir.toString(), "--lease-duration", "soon");
    assertBadConfig("election timeout max", "--node-id", "m1", "--peers", PEERS, "--data-dir",
        dir.toString(), "--election-timeout-min", "2s", "--election-timeout-max", "1s");
    assertBadConfig("writes in flight must be 0..1024, got -1", "--node-id", "m1", "--peers",
        PEERS, "--data-dir", dir.toString(), "--writes-in-flight", "-1");
    assertBadConfig("writes in flight must be 0..1024, got 99999999999", "--node-id", "m1",
        "--peers", PEERS, "--data-dir", dir.toString(), "--writes-in-flight", "99999999999");
    assertBadConfig("writes-in-flight: 'many' is not a number", "--node-id", "m1", "--peers",
        PEERS, "--data-dir", dir.toString(), "--writes-in-flight", "many");
    assertBadConfig("checkpoint-on-stop: 'yes' is not true or false", "--node-id", "m1",
        "--peers", PEERS, "--data-dir", dir.toString(), "--checkpoint-on-stop", "yes");
  }

  private static void assertBadConfig(String message, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = new CommandLine(new MasterMain()).execute(args);
    } finally {
      System.setErr(old);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(text).contains(message);
    assertThat(text.strip().lines()).hasSize(1);
  }
}
