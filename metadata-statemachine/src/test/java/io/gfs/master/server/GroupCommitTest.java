package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.gfs.master.testing.LeaderFollowingClient;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.CreateFileRequest;
import io.gfs.proto.CreateFileResponse;
import io.gfs.proto.GetRaftStatusRequest;
import io.gfs.proto.MasterServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's group commit: writes that arrive while an entry is in flight share the next
 * entry, and exactly-once still holds for each of them - a resend gets the first answer, from
 * the leader that applied it or, after a failover, from the one that took over.
 */
class GroupCommitTest {
  private static final int CREATES = 200;

  @TempDir
  Path dir;

  @Test
  void concurrentWritesShareEntriesAndEachIsAppliedOnceAcrossResendsAndFailover()
      throws Exception {
    TestRequests requests = new TestRequests(UUID.randomUUID());
    try (MasterTestCluster cluster = MasterTestCluster.start(dir,
        c -> c.withWritesInFlight(1))) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      LeaderFollowingClient client = cluster.client();
      List<CreateFileRequest> creates = new ArrayList<>();
      for (int i = 0; i < CREATES; i++) {
        creates.add(requests.createFile("/group/f" + i));
      }

      long before = lastLogIndex(cluster, leader);
      List<CreateFileResponse> first = sendAll(cluster, leader, creates);
      long entries = lastLogIndex(cluster, leader) - before;
      assertThat(first).allSatisfy(r -> assertThat(r.getFile().getPath()).startsWith("/group/f"));
      assertThat(entries).as("log entries for %d concurrent creates, one entry in flight at a"
          + " time", CREATES).isBetween(1L, CREATES - 1L);

      // Each resent twice at once: the first answers, not ALREADY_EXISTS, and no new entries.
      List<CreateFileRequest> twice = new ArrayList<>(creates);
      twice.addAll(creates);
      List<CreateFileResponse> again = sendAll(cluster, leader, twice);
      assertThat(again.subList(0, CREATES)).isEqualTo(first);
      assertThat(again.subList(CREATES, 2 * CREATES)).isEqualTo(first);
      assertThat(lastLogIndex(cluster, leader)).isEqualTo(before + entries);

      // New requests, each sent twice at once (the second arrives while the first is in
      // flight or just applied): one file each, both sends get its answer.
      List<CreateFileRequest> fresh = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        fresh.add(requests.createFile("/group/g" + i));
      }
      List<CreateFileRequest> doubled = new ArrayList<>();
      for (CreateFileRequest r : fresh) {
        doubled.add(r);
        doubled.add(r);
      }
      List<CreateFileResponse> doubledAnswers = sendAll(cluster, leader, doubled);
      for (int i = 0; i < fresh.size(); i++) {
        assertThat(doubledAnswers.get(2 * i + 1)).isEqualTo(doubledAnswers.get(2 * i));
      }

      // The leader goes; the new one learned every batched request while applying.
      cluster.stopMaster(leader);
      String next = cluster.awaitNewLeader(leader, Duration.ofSeconds(60));
      List<CreateFileResponse> afterFailover = sendAll(cluster, next, creates);
      assertThat(afterFailover).isEqualTo(first);
      assertThat(MasterClusterTest.listAll(cluster, client)).hasSize(CREATES + fresh.size());
    }
  }

  /**
   * Ratis takes checkpoints every so many log entries; the masters also ask for one every so
   * many commands, so shared entries do not let a restart replay more than the threshold says.
   */
  @Test
  void checkpointsFollowTheCommandsAppliedNotTheEntries() throws Exception {
    int threshold = 300;
    TestRequests requests = new TestRequests(UUID.randomUUID());
    try (MasterTestCluster cluster = MasterTestCluster.start(dir,
        c -> c.withWritesInFlight(1).withCheckpointThreshold(threshold))) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      List<CreateFileRequest> creates = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        creates.add(requests.createFile("/ckpt/f" + i));
      }
      long before = lastLogIndex(cluster, leader);
      sendAll(cluster, leader, creates);
      assertThat(lastLogIndex(cluster, leader) - before)
          .as("entries for 3000 creates (fewer than the threshold, or Ratis alone would do)")
          .isLessThan(threshold);
      for (String id : cluster.ids()) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(cluster.master(id).stateMachine().commandsSinceCheckpoint())
                .as("commands %s applied since its last checkpoint", id)
                .isLessThan(threshold + 512));  // + one batch (WritePipeline.MAX_BATCH_COMMANDS)
      }
    }
  }

  /** Sends every request at once to {@code target} and returns the answers in order. */
  private static List<CreateFileResponse> sendAll(MasterTestCluster cluster, String target,
      List<CreateFileRequest> creates) throws Exception {
    MasterServiceGrpc.MasterServiceFutureStub stub = MasterServiceGrpc
        .newFutureStub(cluster.channel(target)).withDeadlineAfter(60, TimeUnit.SECONDS);
    List<ListenableFuture<CreateFileResponse>> sent = new ArrayList<>();
    for (CreateFileRequest c : creates) {
      sent.add(stub.createFile(c));
    }
    List<CreateFileResponse> answers = new ArrayList<>();
    for (ListenableFuture<CreateFileResponse> f : sent) {
      answers.add(f.get(60, TimeUnit.SECONDS));
    }
    return answers;
  }

  private static long lastLogIndex(MasterTestCluster cluster, String id) {
    return cluster.adminStub(id).getRaftStatus(GetRaftStatusRequest.getDefaultInstance())
        .getSelf().getLastLogIndex();
  }
}
