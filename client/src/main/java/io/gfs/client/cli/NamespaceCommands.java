package io.gfs.client.cli;

import io.gfs.client.FileStatus;
import io.gfs.client.GfsClient;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** ls, stat, mkdir, mv, rm. */
final class NamespaceCommands {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private NamespaceCommands() {
  }

  static Map<String, Object> toJson(FileStatus f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("namespace", f.namespace());
    m.put("path", f.path());
    m.put("type", f.directory() ? "directory" : "file");
    m.put("length", f.length());
    m.put("chunks", f.chunkCount());
    m.put("created", f.created().toString());
    m.put("modified", f.modified().toString());
    return m;
  }

  @Command(name = "ls", description = "List a directory (its children) or a file.")
  static final class Ls implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Option(names = "-l", description = "Long format: type, length, chunks, modified time.")
    boolean longFormat;

    @Option(names = "-R", description = "Everything under PATH, recursively.")
    boolean recursive;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    @Parameters(index = "0", paramLabel = "PATH", arity = "0..1")
    String path = "/";

    @Override
    public Integer call() {
      try (GfsClient gfs = cli.connect()) {
        List<FileStatus> entries = gfs.list(path, recursive);
        if (json) {
          List<Object> out = new ArrayList<>();
          entries.forEach(f -> out.add(toJson(f)));
          cli.out.println(Json.write(out));
          return GfsCli.EXIT_OK;
        }
        for (FileStatus f : entries) {
          if (longFormat) {
            cli.out.printf("%s %14d %6d %s %s%n", f.directory() ? "d" : "-", f.length(),
                f.chunkCount(), TIME.format(f.modified()), f.path());
          } else {
            cli.out.println(f.directory() ? f.path() + "/" : f.path());
          }
        }
      }
      return GfsCli.EXIT_OK;
    }
  }

  @Command(name = "stat", description = "Show a file's or directory's metadata.")
  static final class Stat implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
      try (GfsClient gfs = cli.connect()) {
        FileStatus f = gfs.stat(path);
        if (json) {
          cli.out.println(Json.write(toJson(f)));
        } else {
          toJson(f).forEach((k, v) -> cli.out.printf("%-10s %s%n", k + ":", v));
        }
      }
      return GfsCli.EXIT_OK;
    }
  }

  @Command(name = "mkdir", description = "Create a directory.")
  static final class Mkdir implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Option(names = "-p", description = "Create missing parents; no error if it exists.")
    boolean parents;

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
      try (GfsClient gfs = cli.connect()) {
        gfs.mkdir(path, parents);
      }
      return GfsCli.EXIT_OK;
    }
  }

  @Command(name = "mv", description = "Rename a file or directory atomically.")
  static final class Mv implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Option(names = "-f", description = "Replace an existing destination file.")
    boolean force;

    @Parameters(index = "0", paramLabel = "SRC")
    String source;

    @Parameters(index = "1", paramLabel = "DST")
    String destination;

    @Override
    public Integer call() {
      try (GfsClient gfs = cli.connect()) {
        gfs.rename(source, destination, force);
      }
      return GfsCli.EXIT_OK;
    }
  }

  @Command(name = "rm", description = "Delete a file, or a directory with -r.")
  static final class Rm implements Callable<Integer> {
    @ParentCommand
    GfsCli cli;

    @Option(names = "-r", description = "Delete a directory and everything under it.")
    boolean recursive;

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Override
    public Integer call() {
      try (GfsClient gfs = cli.connect()) {
        gfs.delete(path, recursive);
      }
      return GfsCli.EXIT_OK;
    }
  }
}
