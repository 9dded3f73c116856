package io.gfs.client.cli;

import io.gfs.client.GfsClient;
import io.gfs.client.GfsException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The `gfs` command line. File commands (put, get, cat, append, ls, stat, mkdir, mv, rm), cluster
 * views and Raft operations; server roles (master, chunkserver, local) are added by the launcher of
 * the distribution. Exit code 0 on success, 1 when the operation failed, 2 on bad usage; errors are
 * one line on stderr (a stack trace only with --verbose).
 */
@Command(name = "gfs", mixinStandardHelpOptions = true, versionProvider = GfsCli.Version.class,
    description = "GFS on Raft: a distributed file system with a replicated master.",
    subcommands = {
        FileCommands.Put.class, FileCommands.Get.class, FileCommands.Cat.class,
        FileCommands.Append.class, NamespaceCommands.Ls.class, NamespaceCommands.Stat.class,
        NamespaceCommands.Mkdir.class, NamespaceCommands.Mv.class, NamespaceCommands.Rm.class,
        ClusterCommands.class, RaftCommands.class, CommandLine.HelpCommand.class})
public final class GfsCli {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  @Mixin
  GlobalOptions options;

  final PrintStream out;

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }
  final PrintStream err;
  final InputStream in;
  final Map<String, String> env;

  public GfsCli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.env = env;
  }

  GfsClient connect() {
    return options.connect(env);
  }

  boolean stderrIsTerminal() {
    return System.console() != null && err == System.err && !env.containsKey("GFS_NO_PROGRESS");
  }

  /** Builds the command line; the distribution's launcher adds server subcommands to it. */
  public static CommandLine commandLine(GfsCli cli) {
    CommandLine cmd = new CommandLine(cli);
    cmd.setOut(new PrintWriter(cli.out, true));
    cmd.setErr(new PrintWriter(cli.err, true));
    cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = cli.options != null && cli.options.verbose;
      cli.err.println("gfs: " + message(e));
      if (verbose) {
        e.printStackTrace(cli.err);
      }
      return e instanceof IllegalArgumentException ? EXIT_USAGE : EXIT_FAILED;
    });
    return cmd;
  }

  static String message(Throwable e) {
    if (e instanceof GfsException g) {
      return g.getMessage() + " [" + g.code().name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
    if (e instanceof java.io.UncheckedIOException u && u.getCause() != null) {
      e = u.getCause();
    }
    if (e instanceof java.io.IOException && e.getCause() instanceof GfsException g) {
      return message(g);
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** Runs with the process's streams and environment; returns the exit code. */
  public static int run(String... args) {
    return commandLine(new GfsCli(System.out, System.err, System.in, System.getenv())).execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = GfsCli.class.getPackage().getImplementationVersion();
      return new String[] {"gfs " + (v == null ? "development build" : v)};
    }
  }
}
