package io.gfs.chunkserver.server;

import io.gfs.chunkserver.primary.PrimarySettings;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The chunkserver process. Flags, or {@code --config FILE} (a properties file whose keys are the
 * long option names without dashes, e.g. {@code data-dir=/var/lib/gfs}); flags win.
 */
@Command(name = "gfs-chunkserver", mixinStandardHelpOptions = true,
    description = "GFS chunkserver: stores chunk replicas and runs the write protocol.")
public final class ChunkserverMain implements Callable<Integer> {
  @Option(names = "--config", description = "properties file with option defaults")
  File configFile;

  @Option(names = "--id", required = true, description = "stable server id")
  String id;

  @Option(names = "--data-dir", required = true, description = "directory for chunks")
  Path dataDir;

  @Option(names = "--bind-address", defaultValue = "0.0.0.0")
  String bindAddress;

  @Option(names = "--advertised-host", description = "host clients and peers use to reach us"
      + " (default: the machine's hostname)")
  String advertisedHost;

  @Option(names = "--data-port", defaultValue = "8080")
  int dataPort;

  @Option(names = "--replication-port", defaultValue = "8081")
  int replicationPort;

  @Option(names = "--admin-port", defaultValue = "8082")
  int adminPort;

  @Option(names = "--masters", required = true, split = ",",
      description = "every master's API address, host:port,...")
  List<String> masters;

  @Option(names = "--heartbeat-interval-ms", defaultValue = "1000")
  long heartbeatIntervalMs;

  @Option(names = "--chunk-size-bytes", defaultValue = "67108864",
      description = "until the master tells the cluster's chunk size")
  long chunkSizeBytes;

  @Option(names = "--io-threads", defaultValue = "8")
  int ioThreads;

  @Option(names = "--direct-writes", defaultValue = "true", arity = "1",
      description = "large chunk writes bypass the page cache (direct I/O) where the file system"
          + " allows: true or false")
  boolean directWrites;

  @Option(names = "--direct-reads", defaultValue = "true", arity = "1",
      description = "large chunk reads of data not in the page cache bypass it (direct I/O) where"
          + " the file system allows: true or false")
  boolean directReads;

  @Option(names = "--replica-deadline-ms", defaultValue = "10000")
  long replicaDeadlineMs;

  private final ChunkserverNode.DataPlaneStarter dataPlane;

  public ChunkserverMain(ChunkserverNode.DataPlaneStarter dataPlane) {
    this.dataPlane = dataPlane;
  }

  /** Builds the validated configuration from the parsed options. */
  ChunkserverConfig config() throws Exception {
    String host = advertisedHost != null ? advertisedHost
        : java.net.InetAddress.getLocalHost().getCanonicalHostName();
    PrimarySettings d = PrimarySettings.defaults();
    PrimarySettings primary = new PrimarySettings(Duration.ofMillis(replicaDeadlineMs),
        d.masterDeadline(), d.leaseSafetyMargin(), d.renewBefore(), d.commitReportInterval());
    return new ChunkserverConfig(id, dataDir, bindAddress, host, dataPort, replicationPort,
        adminPort, masters, Duration.ofMillis(heartbeatIntervalMs), chunkSizeBytes, ioThreads,
        directWrites, directReads, primary, buildInfo());
  }

  private static String buildInfo() {
    String v = ChunkserverMain.class.getPackage().getImplementationVersion();
    return "gfs-chunkserver " + (v == null ? "dev" : v) + " java " + Runtime.version();
  }

  @Override
  public Integer call() throws Exception {
    ChunkserverNode node = new ChunkserverNode(config(), dataPlane, InstantSource.system());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, id + "-shutdown"));
    node.start();
    stopped.await();
    return 0;
  }

  /** Parses flags, reading defaults from --config FILE when given. */
  public static CommandLine commandLine(ChunkserverNode.DataPlaneStarter dataPlane,
      String... args) {
    CommandLine cli = new CommandLine(new ChunkserverMain(dataPlane));
    List<String> list = Arrays.asList(args);
    for (int i = 0; i < list.size(); i++) {
      String a = list.get(i);
      String file = a.startsWith("--config=") ? a.substring("--config=".length())
          : a.equals("--config") && i + 1 < list.size() ? list.get(i + 1) : null;
      if (file != null) {
        cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(new File(file)));
      }
    }
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine(NettyDataPlane.STARTER, args).execute(args));
  }
}
