package io.gfs.client.cli;

import io.gfs.client.GfsClient;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes: where the masters are, the namespace, output style. */
public final class GlobalOptions {
  /** The master API addresses of the cluster that `gfs local` starts. */
  public static final String LOCAL_MASTERS = "127.0.0.1:9000,127.0.0.1:9001,127.0.0.1:9002";
  public static final String MASTERS_ENV = "GFS_MASTERS";

  @Option(names = "--masters", paramLabel = "HOST:PORT,...", scope = ScopeType.INHERIT,
      description = "Master API addresses (any one reachable master is enough). Default: $"
          + MASTERS_ENV + ", else the local cluster's " + LOCAL_MASTERS + ".")
  String masters;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", scope = ScopeType.INHERIT,
      description = "Namespace (default: \"default\").")
  String namespace;

  @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT,
      description = "Overall deadline of each metadata operation, in seconds (default: 30).")
  long timeoutSeconds = 30;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Show stack traces on errors.")
  boolean verbose;

  String resolvedMasters(java.util.Map<String, String> env) {
    if (masters != null && !masters.isBlank()) {
      return masters;
    }
    String fromEnv = env.get(MASTERS_ENV);
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : LOCAL_MASTERS;
  }

  GfsClient connect(java.util.Map<String, String> env) {
    Duration deadline = Duration.ofSeconds(Math.max(1, timeoutSeconds));
    return GfsClient.builder()
        .masters(resolvedMasters(env))
        .namespace(namespace)
        .operationTimeout(deadline)
        .attemptTimeout(Duration.ofMillis(Math.min(5_000, deadline.toMillis())))
        .build();
  }
}
