package io.gfs.it.e2e;

import io.gfs.client.cli.GfsCli;
import io.gfs.launcher.Launcher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the real `gfs` entry point in-process with captured streams. */
final class CliRunner {
  private final Map<String, String> env;

  /** {@code masters}: the GFS_MASTERS the command sees (null for none). */
  CliRunner(String masters) {
    this.env = masters == null ? Map.of() : Map.of("GFS_MASTERS", masters, "GFS_NO_PROGRESS", "1");
  }

  record Result(int exitCode, byte[] outBytes, String err) {
    String out() {
      return new String(outBytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + out() + "\nstderr: " + err;
    }
  }

  Result run(String... args) {
    return runWithInput(new byte[0], args);
  }

  Result runWithInput(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Launcher.run(new GfsCli(o, e, new ByteArrayInputStream(stdin), env), args);
    }
    return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }
}
