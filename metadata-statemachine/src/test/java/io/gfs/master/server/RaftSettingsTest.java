package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RaftSettingsTest {

  @TempDir
  Path dir;

  private RaftProperties build(String... extra) throws Exception {
    MasterMain main = new MasterMain();
    List<String> args = new ArrayList<>(List.of("--node-id", "m1", "--peers",
        "m1=127.0.0.1:9010:9000,m2=127.0.0.1:9011:9001,m3=127.0.0.1:9012:9002",
        "--data-dir", dir.toString()));
    args.addAll(List.of(extra));
    new CommandLine(main).parseArgs(args.toArray(String[]::new));
    return RaftSettings.build(MasterMain.toConfig(main.settings()), dir.toFile());
  }

  @Test
  void firstElectionAfterAStartWaitsAQuarterToAHalfOfTheMinimum() throws Exception {
    RaftProperties p = build("--election-timeout-min", "400ms", "--election-timeout-max",
        "800ms");
    assertThat(RaftServerConfigKeys.Rpc.timeoutMin(p).toLong(TimeUnit.MILLISECONDS))
        .isEqualTo(400);
    assertThat(RaftServerConfigKeys.Rpc.timeoutMax(p).toLong(TimeUnit.MILLISECONDS))
        .isEqualTo(800);
    assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMin(p).toLong(TimeUnit.MILLISECONDS))
        .isEqualTo(100);
    assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMax(p).toLong(TimeUnit.MILLISECONDS))
        .isEqualTo(200);
    // Pre-vote is what makes the short first timeout harmless to a live leader.
    assertThat(RaftServerConfigKeys.LeaderElection.preVote(p)).isTrue();
  }

  @Test
  void acknowledgedMeansFsynced() throws Exception {
    RaftProperties p = build();
    assertThat(RaftServerConfigKeys.Log.asyncFlushEnabled(p)).isFalse();
    assertThat(RaftServerConfigKeys.Log.unsafeFlushEnabled(p)).isFalse();
    assertThat(RaftServerConfigKeys.Log.corruptionPolicy(p))
        .isEqualTo(RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
  }
}
