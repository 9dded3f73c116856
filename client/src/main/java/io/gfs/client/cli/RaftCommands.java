package io.gfs.client.cli;

import io.gfs.client.GfsClient;
import io.gfs.proto.GetRaftStatusResponse;
import io.gfs.proto.RaftPeerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** gfs raft status | transfer-leader. */
@Command(name = "raft", description = "The masters' Raft group.",
    subcommands = {RaftCommands.Status.class, RaftCommands.TransferLeader.class})
final class RaftCommands {
  @ParentCommand
  GfsCli cli;

  /** One row per configured master: its own view, and its lag behind the leader. */
  static List<Map<String, Object>> rows(List<String> masters, Map<String, GetRaftStatusResponse> views) {
    long leaderCommit = 0;
    for (GetRaftStatusResponse v : views.values()) {
      if (v.getSelf().getRole().equals("LEADER")) {
        leaderCommit = Math.max(leaderCommit, v.getSelf().getCommitIndex());
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String address : masters) {
      GetRaftStatusResponse v = views.get(address);
      Map<String, Object> row = new LinkedHashMap<>();
      if (v == null) {
        row.put("id", "?");
        row.put("address", address);
        row.put("reachable", false);
        rows.add(row);
        continue;
      }
      RaftPeerStatus s = v.getSelf();
      row.put("id", s.getId());
      row.put("address", address);
      row.put("reachable", true);
      row.put("role", s.getRole());
      row.put("term", s.getTerm());
      row.put("leader", s.getLeaderId());
      row.put("commitIndex", s.getCommitIndex());
      row.put("appliedIndex", s.getAppliedIndex());
      row.put("lastLogIndex", s.getLastLogIndex());
      row.put("lag", leaderCommit == 0 ? 0 : Math.max(0, leaderCommit - s.getAppliedIndex()));
      rows.add(row);
    }
    return rows;
  }

  @Command(name = "status", description = "One row per master: role, term, indexes, lag, reachability.")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    RaftCommands parent;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    @Override
    public Integer call() {
      GfsCli cli = parent.cli;
      try (GfsClient gfs = cli.connect()) {
        Map<String, GetRaftStatusResponse> views = gfs.raftStatus();
        List<String> masters = new ArrayList<>(
            io.gfs.client.internal.HostPorts.parseList(cli.options.resolvedMasters(cli.env)));
        List<Map<String, Object>> rows = rows(masters, views);
        if (json) {
          cli.out.println(Json.write(rows));
        } else {
          cli.out.printf("%-8s %-22s %-9s %6s %10s %10s %10s %6s %s%n", "ID", "ADDRESS", "ROLE",
              "TERM", "COMMIT", "APPLIED", "LAST-LOG", "LAG", "REACHABLE");
          for (Map<String, Object> r : rows) {
            cli.out.printf("%-8s %-22s %-9s %6s %10s %10s %10s %6s %s%n", r.get("id"),
                r.get("address"), r.getOrDefault("role", "-"), r.getOrDefault("term", "-"),
                r.getOrDefault("commitIndex", "-"), r.getOrDefault("appliedIndex", "-"),
                r.getOrDefault("lastLogIndex", "-"), r.getOrDefault("lag", "-"),
                (Boolean) r.get("reachable") ? "yes" : "NO");
          }
        }
        if (views.isEmpty()) {
          cli.err.println("gfs: no master reachable (" + String.join(",", masters) + ")");
          return GfsCli.EXIT_FAILED;
        }
        return GfsCli.EXIT_OK;
      }
    }
  }

  @Command(name = "transfer-leader", description = "Hand leadership to master ID.")
  static final class TransferLeader implements Callable<Integer> {
    @ParentCommand
    RaftCommands parent;

    @Parameters(index = "0", paramLabel = "ID")
    String targetId;

    @Override
    public Integer call() {
      GfsCli cli = parent.cli;
      try (GfsClient gfs = cli.connect()) {
        String leader = gfs.transferLeadership(targetId, Duration.ofSeconds(10));
        cli.out.println("leader is now " + leader);
      }
      return GfsCli.EXIT_OK;
    }
  }
}
