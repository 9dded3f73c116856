package io.gfs.it.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One empty file per live node process, named by its pid, in a directory shared by the runs of
 * one checkout (its {@code target} directory). At start a run kills the processes an earlier,
 * crashed run of the same checkout left (only those whose command line carries {@link #MARKER},
 * so a reused pid is never hit) — never those of a run in another checkout on the same machine.
 */
final class PidFiles {
  private static final Logger LOG = LogManager.getLogger(PidFiles.class);
  static final String MARKER = "-Dgfs.fault.node=";

  private final Path dir;

  PidFiles(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PidFiles shared() {
    // Surefire sets basedir to the module's directory; outside Maven, the working directory.
    return new PidFiles(Path.of(System.getProperty("basedir", "."), "target", "gfs-fault-pids")
        .toAbsolutePath());
  }

  void add(long pid) {
    try {
      Files.writeString(dir.resolve(Long.toString(pid)), "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void remove(long pid) {
    try {
      Files.deleteIfExists(dir.resolve(Long.toString(pid)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills every recorded process that is still one of ours. */
  void killLeftovers() {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        long pid = Long.parseLong(f.getFileName().toString());
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent() && isOurs(pid)) {
          LOG.warn("fault killing leftover node process pid={}", pid);
          Shell.run("kill", "-CONT", Long.toString(pid));
          h.get().destroyForcibly();
        }
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isOurs(long pid) {
    try {
      byte[] cmd = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return new String(cmd, java.nio.charset.StandardCharsets.UTF_8).contains(MARKER);
    } catch (IOException e) {
      return false;
    }
  }
}
