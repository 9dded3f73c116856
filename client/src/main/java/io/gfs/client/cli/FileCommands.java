package io.gfs.client.cli;

import io.gfs.client.GfsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** put, get, cat, append. */
final class FileCommands {
  private static final int COPY_BUFFER_BYTES = 1 << 20;

  private FileCommands() {
  }

  static long copy(InputStream in, OutputStream out, Progress progress) throws IOException {
    byte[] buf = new byte[COPY_BUFFER_BYTES];
    long total = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
      total += n;
      progress.advance(n);
    }
    return total;
  }

  @Command(name = "put", description = "Copy a local file (or - for stdin) to REMOTE, replacing it atomically.")
  static final class Put implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Parameters(index = "0", paramLabel = "LOCAL|-")
    String local;

    @Parameters(index = "1", paramLabel = "REMOTE")
    String remote;

    @Override
    public Integer call() throws IOException {
      boolean stdin = local.equals("-");
      long size = stdin ? -1 : Files.size(Path.of(local));
      try (GfsClient gfs = cli.connect();
          InputStream in = stdin ? cli.in : Files.newInputStream(Path.of(local))) {
        Progress progress = new Progress(cli.err, cli.stderrIsTerminal(), size);
        try (OutputStream out = gfs.openOutputStream(remote)) {
          copy(in, out, progress);
        }
        progress.finish();
      }
      return GfsCli.EXIT_OK;
    }
  }

  @Command(name = "get",
      description = "Copy REMOTE to a local file (replaced atomically), into a directory, or to a"
          + " device or pipe (written into), or - for stdout.")
  static final class Get implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Parameters(index = "0", paramLabel = "REMOTE")
    String remote;

    @Parameters(index = "1", paramLabel = "LOCAL|-")
    String local;

    @Override
    public Integer call() throws IOException {
      try (GfsClient gfs = cli.connect()) {
        long size = gfs.stat(remote).length();
        Progress progress = new Progress(cli.err, cli.stderrIsTerminal() && !local.equals("-"), size);
        if (local.equals("-")) {
          download(gfs, cli.out, progress);
          cli.out.flush();
        } else {
          Path target = localTarget(Path.of(local), remote);
          if (Files.exists(target) && !Files.isRegularFile(target)) {
            // A device or a pipe (/dev/null, a FIFO): write into it, as cp does, never replace it.
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
              download(gfs, out, progress);
            }
          } else {
            Path tmp = target.resolveSibling("." + target.getFileName() + ".gfs-part");
            try (OutputStream out = Files.newOutputStream(tmp)) {
              download(gfs, out, progress);
            } catch (IOException | RuntimeException e) {
              Files.deleteIfExists(tmp);
              throw e;
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
          }
        }
        progress.finish();
      }
      return GfsCli.EXIT_OK;
    }

    private void download(GfsClient gfs, OutputStream out, Progress progress)
        throws IOException {
      try (InputStream in = gfs.openInputStream(remote)) {
        copy(in, out, progress);
      }
    }
  }

  /**
   * Where {@code get} writes: into an existing directory under REMOTE's name, and through a
   * symbolic link to the file it names (the file is replaced, not the link), as cp does.
   */
  static Path localTarget(Path local, String remote) throws IOException {
    Path target = local;
    if (Files.isDirectory(target)) {
      String name = remote.substring(remote.lastIndexOf('/') + 1);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("REMOTE " + remote + " names no file to put in "
            + local);
      }
      target = target.resolve(name);
    }
    if (Files.isSymbolicLink(target) && Files.exists(target)) {
      target = target.toRealPath();
    }
    return target;
  }

  @Command(name = "cat", description = "Print REMOTE to stdout.")
  static final class Cat implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Parameters(index = "0", paramLabel = "REMOTE")
    String remote;

    @Override
    public Integer call() throws IOException {
      try (GfsClient gfs = cli.connect(); InputStream in = gfs.openInputStream(remote)) {
        copy(in, cli.out, new Progress(cli.err, false, -1));
        cli.out.flush();
      }
      return GfsCli.EXIT_OK;
    }
  }

  @Command(name = "append",
      description = "Append the bytes of LOCAL (or stdin) to REMOTE as one record; prints its offset.")
  static final class Append implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Parameters(index = "0", paramLabel = "REMOTE")
    String remote;

    @Parameters(index = "1", paramLabel = "LOCAL|-", arity = "0..1")
    String local = "-";

    @Override
    public Integer call() throws IOException {
      byte[] record = local.equals("-") ? cli.in.readAllBytes() : Files.readAllBytes(Path.of(local));
      try (GfsClient gfs = cli.connect()) {
        cli.out.println(gfs.appendFile(remote, record));
      }
      return GfsCli.EXIT_OK;
    }
  }
}
