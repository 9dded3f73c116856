package io.gfs.master.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.master.testing.MasterTestCluster;
import io.gfs.master.testing.TestRequests;
import io.gfs.proto.AllocateChunkRequest;
import io.gfs.proto.ChunkCommit;
import io.gfs.proto.ClaimPrimaryRequest;
import io.gfs.proto.CreateFileRequest;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetRaftStatusRequest;
import io.gfs.proto.ListFilesRequest;
import io.gfs.proto.MkdirRequest;
import io.gfs.proto.ReportCommitRequest;
import io.gfs.proto.ReportReplicaProblemRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Bad input through the real gRPC API gets a clear error and never reaches the Raft log. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

  private MasterTestCluster cluster;
  private String leader;
  private final TestRequests requests = new TestRequests(UUID.randomUUID());

  @BeforeAll
  void startCluster(@TempDir Path dir) {
    cluster = MasterTestCluster.start(dir, c -> c);
    leader = cluster.awaitLeader(Duration.ofSeconds(60));
    cluster.masterStub(leader).createFile(requests.createFile("/ok/file"));
  }

  @AfterAll
  void stopCluster() {
    cluster.close();
  }

  @Test
  void badPathsAreRejectedBeforeTheLog() {
    String longName = "n".repeat(256);
    String longPath = "/" + "d/".repeat(2100) + "f";
    for (String bad : new String[] {"", "relative/path", "/a/./b", "/a/../b", "/.", "/..",
        "/a\u0000b", "/a\u0007b", "/a\nb", longPath, "/" + longName}) {
      expect(Status.Code.INVALID_ARGUMENT, "", () -> cluster.masterStub(leader).createFile(
          CreateFileRequest.newBuilder().setRequestId(requests.nextId()).setPath(bad).build()));
      expect(Status.Code.INVALID_ARGUMENT, "", () -> cluster.masterStub(leader).mkdir(
          MkdirRequest.newBuilder().setRequestId(requests.nextId()).setPath(bad).build()));
    }
  }

  @Test
  void badNamespacesAndSizesAreRejected() {
    for (String ns : new String[] {"Bad Namespace", "../x", "a/b", "x\u0000"}) {
      expect(Status.Code.INVALID_ARGUMENT, "", () -> cluster.masterStub(leader).createFile(
          CreateFileRequest.newBuilder().setRequestId(requests.nextId()).setNamespace(ns)
              .setPath("/f").build()));
    }
    expect(Status.Code.INVALID_ARGUMENT, "page_size", () -> cluster.masterStub(leader)
        .listFiles(ListFilesRequest.newBuilder().setPath("/").setPageSize(-1).build()));
    expect(Status.Code.INVALID_ARGUMENT, "chunk_index", () -> cluster.masterStub(leader)
        .allocateChunk(AllocateChunkRequest.newBuilder().setRequestId(requests.nextId())
            .setPath("/ok/file").setChunkIndex(-1).build()));
    expect(Status.Code.INVALID_ARGUMENT, "start_index", () -> cluster.masterStub(leader)
        .getChunkLocations(GetChunkLocationsRequest.newBuilder().setPath("/ok/file")
            .setStartIndex(-5).build()));
    expect(Status.Code.INVALID_ARGUMENT, "committed_length", () -> cluster.controlStub(leader)
        .reportCommit(ReportCommitRequest.newBuilder().setServerId("cs1")
            .addCommits(ChunkCommit.newBuilder().setHandle(UUID.randomUUID().toString())
                .setVersion(1).setCommittedLength(-1)).build()));
  }

  @Test
  void unknownAndMalformedHandlesAreRejected() {
    String unknown = UUID.randomUUID().toString();
    expect(Status.Code.NOT_FOUND, unknown, () -> cluster.controlStub(leader).claimPrimary(
        ClaimPrimaryRequest.newBuilder().setServerId("cs1").setHandle(unknown).build()));
    expect(Status.Code.NOT_FOUND, unknown, () -> cluster.controlStub(leader)
        .reportReplicaProblem(ReportReplicaProblemRequest.newBuilder().setReporterId("cs1")
            .setServerId("cs2").setHandle(unknown).setVersion(1).build()));
    expect(Status.Code.INVALID_ARGUMENT, "handle", () -> cluster.controlStub(leader)
        .claimPrimary(ClaimPrimaryRequest.newBuilder().setServerId("cs1")
            .setHandle("../../etc/passwd").build()));
    expect(Status.Code.NOT_FOUND, "", () -> cluster.masterStub(leader).getChunkLocations(
        GetChunkLocationsRequest.newBuilder().setPath("/no/such/file").build()));
  }

  private void expect(Status.Code code, String messagePart, ThrowingCallable call) {
    long before = lastLogIndex();
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).isNotBlank().contains(messagePart);
    });
    assertThat(lastLogIndex()).as("log index after a rejected request").isEqualTo(before);
  }

  private long lastLogIndex() {
    return cluster.adminStub(leader).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getRaftStatus(GetRaftStatusRequest.getDefaultInstance()).getSelf().getLastLogIndex();
  }
}
