package io.gfs.master.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.master.testing.LeaderFollowingClient;
import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.CreateFileRequest;
import io.gfs.proto.CreateFileResponse;
import io.gfs.proto.DeleteFileRequest;
import io.gfs.proto.DeleteFileResponse;
import io.gfs.proto.GetRaftStatusRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mutation resent with the same RequestId is applied once (Ratis retry cache). */
class RetriedMutationTest {

  @TempDir
  Path dir;

  @Test
  void resentAndFailedOverMutationsAreAppliedOnce() {
    TestRequests requests = new TestRequests(UUID.randomUUID());
    try (MasterTestCluster cluster = MasterTestCluster.start(dir, c -> c)) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      LeaderFollowingClient client = cluster.client();

      // Just resent: the same answer, not ALREADY_EXISTS, and no new log entry.
      CreateFileRequest create = requests.createFile("/retry/a");
      CreateFileResponse first = client.call(s -> s.createFile(create));
      long lastIndex = lastLogIndex(cluster, leader);
      CreateFileResponse again = client.call(s -> s.createFile(create));
      assertThat(again).isEqualTo(first);
      assertThat(lastLogIndex(cluster, leader)).isEqualTo(lastIndex);

      // A new request id for the same path is a different mutation: it fails.
      assertThatThrownBy(() -> client.call(s -> s.createFile(requests.createFile("/retry/a"))))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
              e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));

      // Applied through the old leader, resent to the new one after a failover: answered from
      // the retry cache the followers filled while applying the entry.
      DeleteFileRequest delete = DeleteFileRequest.newBuilder()
          .setRequestId(requests.nextId()).setPath("/retry/a").build();
      DeleteFileResponse deleted = client.call(s -> s.deleteFile(delete));
      assertThat(deleted.getDeletedEntries()).isEqualTo(1);
      CreateFileRequest create2 = requests.createFile("/retry/b");
      CreateFileResponse created2 = client.call(s -> s.createFile(create2));
      cluster.stopMaster(leader);
      cluster.awaitNewLeader(leader, Duration.ofSeconds(60));
      DeleteFileResponse deletedAgain = client.call(s -> s.deleteFile(delete));
      CreateFileResponse created2Again = client.call(s -> s.createFile(create2));
      assertThat(deletedAgain).isEqualTo(deleted);
      assertThat(created2Again).isEqualTo(created2);
      assertThat(MasterClusterTest.listAll(cluster, client)).containsExactly("/retry/b");
    }
  }

  private static long lastLogIndex(MasterTestCluster cluster, String id) {
    return cluster.adminStub(id).getRaftStatus(GetRaftStatusRequest.getDefaultInstance())
        .getSelf().getLastLogIndex();
  }
}
