package io.gfs.chunkserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ChunkserverMainTest {
  @TempDir Path dir;

  private static ChunkserverConfig parse(String... args) throws Exception {
    CommandLine cli = ChunkserverMain.commandLine(ChunkserverNode.DataPlaneStarter.NONE, args);
    cli.parseArgs(args);
    return ((ChunkserverMain) cli.getCommand()).config();
  }

  @Test
  void flagsProduceAValidatedConfigWithDefaults() throws Exception {
    ChunkserverConfig c = parse("--id", "cs-1", "--data-dir", dir.toString(),
        "--advertised-host", "cs1.example", "--masters", "m1:9000,m2:9000,m3:9000");
    assertThat(c.masters()).containsExactly("m1:9000", "m2:9000", "m3:9000");
    assertThat(c.dataPort()).isEqualTo(8080);
    assertThat(c.replicationPort()).isEqualTo(8081);
    assertThat(c.adminPort()).isEqualTo(8082);
    assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(c.advertisedHost()).isEqualTo("cs1.example");
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.directWrites()).isTrue();
    assertThat(c.directReads()).isTrue();
  }

  @Test
  void directIoCanBeTurnedOffByFlagOrFileAndTakesOnlyTrueOrFalse() throws Exception {
    String[] base = {"--id", "x", "--data-dir", dir.toString(), "--advertised-host", "h",
        "--masters", "m:1"};
    assertThat(parse(concat(base, "--direct-writes", "false")).directWrites()).isFalse();
    assertThat(parse(concat(base, "--direct-writes", "true")).directWrites()).isTrue();
    assertThat(parse(concat(base, "--direct-reads", "false")).directReads()).isFalse();
    assertThat(parse(concat(base, "--direct-reads", "false")).directWrites()).isTrue();
    assertThat(parse(concat(base, "--direct-writes", "false")).directReads()).isTrue();
    Path file = dir.resolve("cs.properties");
    Files.writeString(file, "direct-writes=false\ndirect-reads=false\n");
    ChunkserverConfig fromFile = parse(concat(base, "--config", file.toString()));
    assertThat(fromFile.directWrites()).isFalse();
    assertThat(fromFile.directReads()).isFalse();
    assertThatThrownBy(() -> parse(concat(base, "--direct-writes", "sometimes")))
        .hasMessageContaining("sometimes");
    assertThatThrownBy(() -> parse(concat(base, "--direct-reads", "yes")))
        .hasMessageContaining("yes");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void configFileSuppliesDefaultsAndFlagsWin() throws Exception {
    Path file = dir.resolve("cs.properties");
    Files.writeString(file, "id=from-file\ndata-dir=" + dir + "\nmasters=a:1,b:2\n"
        + "data-port=9999\nadvertised-host=h\n");
    ChunkserverConfig c = parse("--config", file.toString(), "--data-port", "7000");
    assertThat(c.id()).isEqualTo("from-file");
    assertThat(c.masters()).isEqualTo(List.of("a:1", "b:2"));
    assertThat(c.dataPort()).isEqualTo(7000);
  }

  @Test
  void invalidValuesAreRejectedWithAPlainMessage() {
    assertThatThrownBy(() -> parse("--id", "../x", "--data-dir", dir.toString(),
        "--advertised-host", "h", "--masters", "m:1"))
        .hasMessageContaining("id must be");
    assertThatThrownBy(() -> parse("--id", "x", "--data-dir", dir.toString(),
        "--advertised-host", "h", "--masters", "nocolon"))
        .hasMessageContaining("host:port");
  }
}
