package io.gfs.master.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gfs-master}: runs one master. Settings come from a properties file ({@code --config})
 * and/or flags; a flag wins over the file. Keys in the file are the flag names without dashes,
 * e.g. {@code node-id=m1}, {@code peers=m1=10.0.0.1:9010:9000,...}.
 */
@Command(name = "gfs-master", mixinStandardHelpOptions = true,
    description = "Runs one replica of the GFS master (Raft group of 3).")
public final class MasterMain implements Callable<Integer> {
  private static final Logger LOG = LogManager.getLogger(MasterMain.class);

  static final int EXIT_BAD_CONFIG = 2;
  static final Set<String> KEYS = Set.of("node-id", "peers", "api-bind-host", "data-dir",
      "chunk-size", "lease-duration", "heartbeat-expiry", "election-timeout-min",
      "election-timeout-max", "checkpoint-threshold", "request-timeout",
      "writes-in-flight", "checkpoint-on-stop");

  @Option(names = "--config", description = "properties file with the settings below")
  Path configFile;
  @Option(names = "--node-id", description = "this master's id (one of --peers)")
  String nodeId;
  @Option(names = "--peers", description = "id=host:raftPort:apiPort, comma separated, 3 of them")
  String peers;
  @Option(names = "--api-bind-host", description = "address the API listens on (default 0.0.0.0)")
  String apiBindHost;
  @Option(names = "--data-dir", description = "Raft log and checkpoints")
  String dataDir;
  @Option(names = "--chunk-size", description = "e.g. 64MiB")
  String chunkSize;
  @Option(names = "--lease-duration", description = "e.g. 60s")
  String leaseDuration;
  @Option(names = "--heartbeat-expiry", description = "e.g. 15s")
  String heartbeatExpiry;
  @Option(names = "--election-timeout-min", description = "e.g. 1000ms")
  String electionTimeoutMin;
  @Option(names = "--election-timeout-max", description = "e.g. 2000ms")
  String electionTimeoutMax;
  @Option(names = "--checkpoint-threshold", description = "commands between checkpoints")
  String checkpointThreshold;
  @Option(names = "--request-timeout", description = "e.g. 10s")
  String requestTimeout;
  @Option(names = "--checkpoint-on-stop",
      description = "true/false: a checkpoint when stopping cleanly (default true)")
  String checkpointOnStop;
  @Option(names = "--writes-in-flight", description = "write entries in Raft at once; writes"
      + " arriving meanwhile share the next entry (default 1; 0 = one entry per write)")
  String writesInFlight;

  public static void main(String[] args) {
    CommonPool.ensureParallelism();
    System.exit(new CommandLine(new MasterMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    MasterConfig config;
    try {
      config = toConfig(settings());
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("gfs-master: bad configuration: " + e.getMessage());
      return EXIT_BAD_CONFIG;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    MasterServer server = new MasterServer(config, Clock.systemUTC(), new SecureRandom(), null,
        failure -> {
          LOG.fatal("{} stopping the process after a state machine failure", config.nodeId());
          Runtime.getRuntime().halt(1);
        });
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "gfs-master-shutdown"));
    stopped.await();
    return 0;
  }

  /** File settings overlaid with the flags that were given. */
  Map<String, String> settings() throws IOException {
    Map<String, String> s = new HashMap<>();
    if (configFile != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(configFile)) {
        p.load(r);
      }
      for (String key : p.stringPropertyNames()) {
        if (!KEYS.contains(key)) {
          throw new IllegalArgumentException("unknown key '" + key + "' in " + configFile);
        }
        s.put(key, p.getProperty(key).trim());
      }
    }
    put(s, "node-id", nodeId);
    put(s, "peers", peers);
    put(s, "api-bind-host", apiBindHost);
    put(s, "data-dir", dataDir);
    put(s, "chunk-size", chunkSize);
    put(s, "lease-duration", leaseDuration);
    put(s, "heartbeat-expiry", heartbeatExpiry);
    put(s, "election-timeout-min", electionTimeoutMin);
    put(s, "election-timeout-max", electionTimeoutMax);
    put(s, "checkpoint-threshold", checkpointThreshold);
    put(s, "request-timeout", requestTimeout);
    put(s, "writes-in-flight", writesInFlight);
    put(s, "checkpoint-on-stop", checkpointOnStop);
    return s;
  }

  private static void put(Map<String, String> s, String key, String value) {
    if (value != null) {
      s.put(key, value);
    }
  }

  static MasterConfig toConfig(Map<String, String> s) {
    String node = required(s, "node-id");
    String data = required(s, "data-dir");
    MasterConfig d = MasterConfig.withDefaults(node, PeerSpec.parseList(required(s, "peers")),
        Path.of(data));
    return new MasterConfig(node, d.peers(),
        s.getOrDefault("api-bind-host", d.apiBindHost()),
        d.dataDir(),
        bytes(s, "chunk-size", d.chunkSizeBytes()),
        duration(s, "lease-duration", d.leaseDuration()),
        duration(s, "heartbeat-expiry", d.heartbeatExpiry()),
        duration(s, "election-timeout-min", d.electionTimeoutMin()),
        duration(s, "election-timeout-max", d.electionTimeoutMax()),
        s.containsKey("checkpoint-threshold")
            ? ConfigValues.number("checkpoint-threshold", s.get("checkpoint-threshold"))
            : d.checkpointThreshold(),
        duration(s, "request-timeout", d.requestTimeout()),
        s.containsKey("writes-in-flight") ? writesInFlight(s.get("writes-in-flight"))
            : d.writesInFlight(),
        s.containsKey("checkpoint-on-stop")
            ? ConfigValues.trueOrFalse("checkpoint-on-stop", s.get("checkpoint-on-stop"))
            : d.checkpointOnStop());
  }

  private static int writesInFlight(String text) {
    long n = ConfigValues.number("writes-in-flight", text);
    if (n != (int) n) {
      throw new IllegalArgumentException("writes in flight must be 0..1024, got " + n);
    }
    return (int) n;
  }

  private static java.time.Duration duration(Map<String, String> s, String key,
      java.time.Duration fallback) {
    return s.containsKey(key) ? ConfigValues.duration(key, s.get(key)) : fallback;
  }

  private static long bytes(Map<String, String> s, String key, long fallback) {
    return s.containsKey(key) ? ConfigValues.bytes(key, s.get(key)) : fallback;
  }

  private static String required(Map<String, String> s, String key) {
    String v = s.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(key + " is required (flag --" + key + " or in --config)");
    }
    return v;
  }
}
