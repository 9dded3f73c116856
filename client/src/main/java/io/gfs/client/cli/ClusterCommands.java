package io.gfs.client.cli;

import io.gfs.client.GfsClient;
import io.gfs.proto.ChunkserverPressure;
import io.gfs.proto.ChunkserverStatus;
import io.gfs.proto.GetClusterPressureResponse;
import io.gfs.proto.GetClusterStatusResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** gfs cluster status | pressure. */
@Command(name = "cluster", description = "Chunkserver status and resource pressure.",
    subcommands = {ClusterCommands.Status.class, ClusterCommands.Pressure.class})
final class ClusterCommands {
  private static final int BAR_WIDTH = 20;

  @ParentCommand
  GfsCli cli;

  static String bar(double fraction) {
    double f = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
    int filled = (int) Math.round(f * BAR_WIDTH);
    return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]"
        + String.format(" %3.0f%%", f * 100);
  }

  static double ratio(long used, long total) {
    return total <= 0 ? 0 : (double) used / total;
  }

  @Command(name = "status", description = "Each chunkserver: address, liveness, chunks, space.")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    ClusterCommands parent;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    @Override
    public Integer call() {
      GfsCli cli = parent.cli;
      try (GfsClient gfs = cli.connect()) {
        GetClusterStatusResponse s = gfs.clusterStatus();
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("leader", s.getLeaderId());
          m.put("files", s.getFileCount());
          m.put("chunks", s.getChunkCount());
          m.put("underReplicatedChunks", s.getUnderReplicatedChunks());
          m.put("safeMode", s.getSafeMode());
          List<Object> servers = new ArrayList<>();
          for (ChunkserverStatus c : s.getChunkserversList()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", c.getServerId());
            e.put("address", c.getAddress().getHost() + ":" + c.getAddress().getDataPort());
            e.put("alive", c.getAlive());
            e.put("chunks", c.getChunkCount());
            e.put("freeBytes", c.getFreeBytes());
            e.put("totalBytes", c.getTotalBytes());
            e.put("buildInfo", c.getBuildInfo());
            e.put("lastHeartbeatMsAgo", c.getLastHeartbeatMsAgo());
            servers.add(e);
          }
          m.put("chunkservers", servers);
          cli.out.println(Json.write(m));
          return GfsCli.EXIT_OK;
        }
        cli.out.printf("leader %s  files %d  chunks %d  under-replicated %d%s%n", s.getLeaderId(),
            s.getFileCount(), s.getChunkCount(), s.getUnderReplicatedChunks(),
            s.getSafeMode() ? "  SAFE MODE" : "");
        cli.out.printf("%-12s %-22s %-5s %8s %12s %12s  %s%n", "ID", "ADDRESS", "ALIVE", "CHUNKS",
            "FREE", "TOTAL", "BUILD");
        for (ChunkserverStatus c : s.getChunkserversList()) {
          cli.out.printf("%-12s %-22s %-5s %8d %12s %12s  %s%n", c.getServerId(),
              c.getAddress().getHost() + ":" + c.getAddress().getDataPort(),
              c.getAlive() ? "yes" : "NO", c.getChunkCount(), Sizes.human(c.getFreeBytes()),
              Sizes.human(c.getTotalBytes()), c.getBuildInfo());
        }
      }
      return GfsCli.EXIT_OK;
    }
  }

  @Command(name = "pressure", description = "Each chunkserver's CPU, memory and disk use.")
  static final class Pressure implements Callable<Integer> {
    @ParentCommand
    ClusterCommands parent;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    @Override
    public Integer call() {
      GfsCli cli = parent.cli;
      try (GfsClient gfs = cli.connect()) {
        GetClusterPressureResponse p = gfs.clusterPressure();
        if (json) {
          List<Object> out = new ArrayList<>();
          for (ChunkserverPressure c : p.getChunkserversList()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", c.getServerId());
            e.put("host", c.getHost());
            e.put("alive", c.getAlive());
            e.put("cpuPercent", c.getCpuPercent());
            e.put("memoryUsedBytes", c.getMemoryUsedBytes());
            e.put("memoryTotalBytes", c.getMemoryTotalBytes());
            e.put("diskUsedBytes", c.getDiskUsedBytes());
            e.put("diskTotalBytes", c.getDiskTotalBytes());
            e.put("sampledMsAgo", c.getSampledMsAgo());
            out.add(e);
          }
          cli.out.println(Json.write(out));
          return GfsCli.EXIT_OK;
        }
        for (ChunkserverPressure c : p.getChunkserversList()) {
          cli.out.printf("%s (%s)%s%n", c.getServerId(), c.getHost(), c.getAlive() ? "" : "  DOWN");
          cli.out.printf("  cpu    %s%n", bar(c.getCpuPercent() / 100));
          cli.out.printf("  memory %s  %s / %s%n",
              bar(ratio(c.getMemoryUsedBytes(), c.getMemoryTotalBytes())),
              Sizes.human(c.getMemoryUsedBytes()), Sizes.human(c.getMemoryTotalBytes()));
          cli.out.printf("  disk   %s  %s / %s%n",
              bar(ratio(c.getDiskUsedBytes(), c.getDiskTotalBytes())),
              Sizes.human(c.getDiskUsedBytes()), Sizes.human(c.getDiskTotalBytes()));
        }
      }
      return GfsCli.EXIT_OK;
    }
  }
}
