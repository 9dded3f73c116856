package io.gfs.it.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands (ip, kill) with a deadline. */
final class Shell {
  private static final long DEADLINE_S = 20;

  private Shell() {
  }

  /** Runs the command; returns its exit code (output is discarded unless it fails). */
  static Result run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(DEADLINE_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("command timed out: " + command);
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(127, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  static Result run(String... command) {
    return run(List.of(command));
  }

  /** Runs the command and throws when it fails. */
  static String check(String... command) {
    Result r = run(command);
    if (r.exit() != 0) {
      throw new IllegalStateException("command failed exit=" + r.exit() + ": "
          + String.join(" ", command) + "\n" + r.output());
    }
    return r.output();
  }

  record Result(int exit, String output) {}
}
