package io.gfs.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The launcher script's choice of garbage collector, read back from the JVM it starts: the real
 * {@code bin/gfs} runs this JVM with {@code -XX:+PrintFlagsFinal -version} appended through
 * GFS_JAVA_OPTS, so the JVM prints every flag with its origin and exits before any class of ours
 * loads.
 */
class LauncherScriptGcTest {
  private static final Path SCRIPT = Path.of("src/main/dist/bin/gfs");
  /** A collector flag that is on, and where it came from (command line, ergonomic, default). */
  private static final Pattern COLLECTOR = Pattern.compile(
      "bool (Use(?:Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC)\\s+= true\\s+"
      + "\\{product\\} \\{([a-z ]+)\\}");

  /** The collector flags that are on, each with its origin, e.g. "UseSerialGC command line". */
  private static List<String> collectors(String role, String javaOpts) throws Exception {
    return collectors(role, javaOpts, Map.of());
  }

  private static List<String> collectors(String role, String javaOpts, Map<String, String> more)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), role)
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("GFS_CDS", "off");
    env.put("GFS_HEAP", "64m");
    env.put("GFS_JAVA_OPTS", (javaOpts + " -XX:+PrintFlagsFinal -version").trim());
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("JDK_JAVA_OPTIONS");
    env.putAll(more);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the JVM exits after -version").isTrue();
    assertThat(p.exitValue()).as("gfs %s with GFS_JAVA_OPTS=%s:%n%s", role, javaOpts, out)
        .isZero();
    List<String> on = new ArrayList<>();
    Matcher m = COLLECTOR.matcher(out);
    while (m.find()) {
      on.add(m.group(1) + " " + m.group(2));
    }
    return on;
  }

  @Test
  void aChunkserverRunsTheSerialCollector() throws Exception {
    assertThat(Files.isRegularFile(SCRIPT)).as("run from the distribution module").isTrue();
    assertThat(collectors("chunkserver", "")).containsExactly("UseSerialGC command line");
  }

  @Test
  void mastersAndTheLocalClusterKeepTheJvmsChoice() throws Exception {
    for (String role : List.of("master", "local")) {
      assertThat(collectors(role, "")).as(role).hasSize(1)
          .allSatisfy(c -> assertThat(c).doesNotEndWith("command line"));
    }
  }

  @Test
  void aCollectorInGfsJavaOptsWinsOnAChunkserver() throws Exception {
    assertThat(collectors("chunkserver", "-Dgfs.test=1 -XX:+UseG1GC -Xss1m"))
        .containsExactly("UseG1GC command line");
    assertThat(collectors("chunkserver", "-XX:+UseParallelGC"))
        .containsExactly("UseParallelGC command line");
  }

  @Test
  void aCollectorInTheJvmsOwnVariablesWinsToo() throws Exception {
    for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
      assertThat(collectors("chunkserver", "", Map.of(variable, "-XX:+UseParallelGC")))
          .as(variable).singleElement().asString().startsWith("UseParallelGC ");
    }
  }

  @Test
  void aPropertyValueThatMentionsACollectorDoesNotCount() throws Exception {
    assertThat(collectors("chunkserver", "-Dgfs.note=-XX:+UseG1GC"))
        .containsExactly("UseSerialGC command line");
    assertThat(collectors("chunkserver", "-XX:+UseMaximumCompactionOnSystemGC"))
        .as("a flag that only ends in GC").containsExactly("UseSerialGC command line");
  }
}
