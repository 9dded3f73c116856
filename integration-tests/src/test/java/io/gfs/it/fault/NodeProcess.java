package io.gfs.it.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One master or chunkserver JVM, started again with the same command after each crash. Its output
 * goes to {@code <logDir>/<id>.log} (appended across restarts). The pid of every live process is
 * kept in {@link PidFiles} so a crashed test run's processes are killed by the next run.
 */
final class NodeProcess {
  private static final Logger LOG = LogManager.getLogger(NodeProcess.class);

  private final String id;
  private final List<String> command;
  private final Path logFile;
  private final PidFiles pids;
  private Process process; // guarded by this
  private boolean paused; // guarded by this

  NodeProcess(String id, List<String> command, Path logFile, PidFiles pids) {
    this.id = id;
    this.command = List.copyOf(command);
    this.logFile = logFile;
    this.pids = pids;
  }

  String id() {
    return id;
  }

  synchronized void start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(id + " is already running");
    }
    try {
      Files.createDirectories(logFile.getParent());
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + id + ": " + e.getMessage(), e);
    }
    paused = false;
    pids.add(process.pid());
    LOG.info("fault started node={} pid={}", id, process.pid());
  }

  /** SIGKILL, then waits for the process to be gone. */
  synchronized void kill() {
    if (process == null) {
      return;
    }
    long pid = process.pid();
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(id + " survived SIGKILL pid=" + pid);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted killing " + id, e);
    }
    pids.remove(pid);
    process = null;
    paused = false;
    LOG.info("fault killed node={} pid={}", id, pid);
  }

  synchronized void restart() {
    kill();
    start();
  }

  /** SIGSTOP: the process freezes as in a long GC pause or a VM freeze. */
  synchronized void pause() {
    signal("-STOP");
    paused = true;
  }

  /** SIGCONT. */
  synchronized void resume() {
    signal("-CONT");
    paused = false;
  }

  synchronized boolean isPaused() {
    return paused;
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  synchronized boolean isRunning() {
    return process != null && process.isAlive() && !paused;
  }

  private void signal(String signal) {
    if (process == null) {
      throw new IllegalStateException(id + " is not running");
    }
    Shell.check("kill", signal, Long.toString(process.pid()));
    LOG.info("fault signalled node={} signal={} pid={}", id, signal, process.pid());
  }

  /** The last lines of this node's log, for a failure message. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile);
      return String.join("\n", new ArrayList<>(all.subList(Math.max(0, all.size() - lines),
          all.size())));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
