package io.gfs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineTest {
  @TempDir
  Path admin;

  /** Lays out one kdamond with one context, as the kernel's DAMON sysfs interface does. */
  private void kdamond(String id, String state, String operations, String... actions)
      throws IOException {
    Path k = Files.createDirectories(admin.resolve("kdamonds").resolve(id));
    Files.writeString(admin.resolve("kdamonds/nr_kdamonds"), "1\n");
    Files.writeString(k.resolve("state"), state + "\n");
    Path c = Files.createDirectories(k.resolve("contexts/0"));
    Files.writeString(c.resolve("operations"), operations + "\n");
    Files.createDirectories(c.resolve("schemes"));
    for (int i = 0; i < actions.length; i++) {
      Path s = Files.createDirectories(c.resolve("schemes").resolve(Integer.toString(i)));
      Files.writeString(s.resolve("action"), actions[i] + "\n");
    }
  }

  @Test
  void namesARunningMonitorWithItsSchemes() throws IOException {
    kdamond("0", "on", "paddr", "pageout");
    assertThat(Machine.damon(admin)).isEqualTo("DAMON on: paddr pageout");
  }

  @Test
  void reportsNothingForAStoppedMonitor() throws IOException {
    kdamond("0", "off", "paddr", "pageout");
    assertThat(Machine.damon(admin)).isEmpty();
  }

  @Test
  void reportsNothingWithoutDamon() {
    assertThat(Machine.damon(admin.resolve("absent"))).isEmpty();
  }

  @Test
  void listsEveryRunningMonitor() throws IOException {
    kdamond("0", "on", "vaddr", "lru_prio", "lru_deprio");
    kdamond("1", "off", "paddr", "pageout");
    kdamond("2", "on", "paddr");
    assertThat(Machine.damon(admin)).isEqualTo("DAMON on: vaddr lru_prio lru_deprio, paddr");
  }
}
