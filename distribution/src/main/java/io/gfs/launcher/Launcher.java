package io.gfs.launcher;

import io.gfs.client.cli.GfsCli;
import io.gfs.master.server.MasterMain;
import picocli.CommandLine;

/**
 * The `gfs` entry point of the distribution: the client CLI plus the server roles
 * (`gfs master`, `gfs chunkserver`) and the one-command local cluster (`gfs local`).
 */
public final class Launcher {
  private Launcher() {
  }

  /** Builds the full command line over the given CLI context. */
  public static CommandLine commandLine(GfsCli cli) {
    CommandLine cmd = GfsCli.commandLine(cli);
    cmd.addSubcommand("master", new CommandLine(new MasterMain()));
    return cmd;
  }

  public static int run(String... args) {
    return commandLine(new GfsCli(System.out, System.err, System.in, System.getenv())).execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
