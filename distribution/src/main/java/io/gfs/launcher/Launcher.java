package io.gfs.launcher;

import io.gfs.chunkserver.server.ChunkserverMain;
import io.gfs.chunkserver.server.NettyDataPlane;
import io.gfs.client.cli.GfsCli;
import io.gfs.master.server.CommonPool;
import io.gfs.master.server.MasterMain;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * The `gfs` entry point of the distribution: the client CLI plus the server roles
 * (`gfs master`, `gfs chunkserver`) and the one-command local cluster (`gfs local`). The roles
 * are dispatched before the client's parser sees the arguments: they have flags of their own
 * (e.g. a chunkserver's --masters) that must not mix with the client's global options.
 */
public final class Launcher {
  private static final String ROLES_HELP = "%nServer roles:%n"
      + "  master       Run one master replica (gfs master --help).%n"
      + "  chunkserver  Run one chunkserver (gfs chunkserver --help).%n"
      + "  local        Run 3 masters + 3 chunkservers on 127.0.0.1 until Ctrl-C (gfs local --help).%n";

  private Launcher() {
  }

  /** Builds the client command line over the given CLI context, with the roles in its help. */
  public static CommandLine commandLine(GfsCli cli) {
    CommandLine cmd = GfsCli.commandLine(cli);
    cmd.getCommandSpec().usageMessage().footer(ROLES_HELP);
    return cmd;
  }

  /** Runs one command line against the given context; returns the exit code. */
  public static int run(GfsCli cli, String... args) {
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    CommandLine role = args.length == 0 ? null : switch (args[0]) {
      case "master" -> new CommandLine(new MasterMain()).setCommandName("gfs master");
      // Its --config file supplies defaults for the flags, which must be known before parsing.
      case "chunkserver" -> ChunkserverMain.commandLine(NettyDataPlane.STARTER, rest)
          .setCommandName("gfs chunkserver");
      case "local" -> new CommandLine(new LocalCommand(cli.out())).setCommandName("gfs local");
      default -> null;
    };
    if (role == null) {
      return commandLine(cli).execute(args);
    }
    role.setOut(new PrintWriter(cli.out(), true));
    role.setErr(new PrintWriter(cli.err(), true));
    role.setExecutionExceptionHandler((e, c, p) -> {
      cli.err().println(c.getCommandName() + ": " + (e.getMessage() == null ? e : e.getMessage()));
      return e instanceof IllegalArgumentException ? GfsCli.EXIT_USAGE : GfsCli.EXIT_FAILED;
    });
    return role.execute(rest);
  }

  public static void main(String[] args) {
    CommonPool.ensureParallelism(); // first: before anything starts the pool
    System.exit(run(new GfsCli(System.out, System.err, System.in, System.getenv()), args));
  }
}
