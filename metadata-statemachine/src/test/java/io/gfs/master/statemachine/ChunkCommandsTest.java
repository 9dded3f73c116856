package io.gfs.master.statemachine;

import static io.gfs.master.statemachine.Fixture.code;
import static io.gfs.master.statemachine.Ops.addReplica;
import static io.gfs.master.statemachine.Ops.allocate;
import static io.gfs.master.statemachine.Ops.commit;
import static io.gfs.master.statemachine.Ops.create;
import static io.gfs.master.statemachine.Ops.delete;
import static io.gfs.master.statemachine.Ops.grant;
import static io.gfs.master.statemachine.Ops.handle;
import static io.gfs.master.statemachine.Ops.markStale;
import static io.gfs.master.statemachine.Ops.removeReplica;
import static io.gfs.master.statemachine.Ops.rename;
import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.GetChunkLocationsResponse;
import io.gfs.proto.MasterResult;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkCommandsTest {
  private static final List<String> THREE = List.of("cs1", "cs2", "cs3");
  private final Fixture f = new Fixture();

  private static List<String> replicas(ChunkInfo c) {
    return c.getReplicasList().stream().map(ChunkLocation::getServerId).toList();
  }

  private ChunkInfo chunk(String handle) {
    return f.state.chunk(handle).orElseThrow();
  }

  @Test
  void allocateAddsChunkAtVersionOneWithLeaseAndTouchesTheFile() {
    f.ok(create("", "/f"));
    MasterResult r = f.ok(allocate("", "/f", 0, handle(1), THREE, "cs2", 5_000));
    ChunkInfo c = r.getChunk();
    assertThat(c.getHandle()).isEqualTo(handle(1));
    assertThat(c.getIndex()).isZero();
    assertThat(c.getVersion()).isEqualTo(1);
    assertThat(c.getCommittedLength()).isZero();
    assertThat(c.getPrimary()).isEqualTo("cs2");
    assertThat(c.getLeaseExpiryMs()).isEqualTo(5_000);
    assertThat(replicas(c)).containsExactly("cs1", "cs2", "cs3");
    assertThat(c.getReplicas(0).getHost()).isEmpty();
    assertThat(r.getFile().getChunkCount()).isEqualTo(1);
    assertThat(r.getFile().getModifiedMs()).isEqualTo(f.clockMs);
  }

  @Test
  void allocateOfAnExistingIndexReturnsThatChunkUnchanged() {
    f.ok(create("", "/f"));
    f.ok(allocate("", "/f", 0, handle(1), THREE, "cs1", 5_000));
    byte[] before = f.checkpoint();
    MasterResult again = f.ok(allocate("", "/f", 0, handle(2), THREE, "cs3", 9_000));
    assertThat(again.getChunk().getHandle()).isEqualTo(handle(1));
    assertThat(again.getChunk().getPrimary()).isEqualTo("cs1");
    assertThat(f.checkpoint()).isEqualTo(before);
    assertThat(f.state.chunk(handle(2))).isEmpty();
  }

  @Test
  void allocateErrors() {
    f.ok(create("", "/f"));
    f.ok(create("", "/g"));
    f.ok(allocate("", "/f", 0, handle(1), THREE, "cs1", 5_000));
    assertThat(code(f.apply(allocate("", "/f", 2, handle(2), THREE, "cs1", 1))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(allocate("", "/g", 0, handle(1), THREE, "cs1", 1))))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(f.apply(allocate("", "/nope", 0, handle(3), THREE, "cs1", 1))))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(f.apply(allocate("", "/", 0, handle(3), THREE, "cs1", 1))))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(f.apply(allocate("", "/g", 0, handle(3), THREE, "cs9", 1))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(allocate("", "/g", 0, handle(3), List.of(), "cs1", 1))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(allocate("", "/g", 0, handle(3), List.of("a", "a"), "a", 1))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(allocate("", "/g", 0, handle(3), THREE, "cs1", -1))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(allocate("", "/g", -1, handle(3), THREE, "cs1", 1))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void commitsOnlyAdvanceIgnoreOldVersionsAndUnknownHandlesAndSealIsSticky() {
    f.ok(create("", "/f"));
    f.ok(allocate("", "/f", 0, handle(1), THREE, "cs1", 5_000));
    assertThat(f.ok(commit(handle(1), 1, 100, false)).getCount()).isEqualTo(1);
    long touched = f.clockMs;
    assertThat(f.ok(commit(handle(1), 1, 50, false)).getCount()).isZero();
    assertThat(f.ok(commit(handle(9), 1, 500, true)).getCount()).isZero();
    assertThat(chunk(handle(1)).getCommittedLength()).isEqualTo(100);
    f.ok(grant(handle(1), "cs2", 2, 9_000, THREE));
    assertThat(f.ok(commit(handle(1), 1, 700, false)).getCount()).isZero();
    assertThat(chunk(handle(1)).getCommittedLength()).isEqualTo(100);
    f.ok(commit(handle(1), 2, 200, true));
    f.ok(commit(handle(1), 2, 200, false));
    assertThat(chunk(handle(1)).getSealed()).isTrue();
    assertThat(f.query(Ops.getFile("", "/f")).getGetFile().getFile().getModifiedMs())
        .isGreaterThan(touched);
    assertThat(code(f.apply(commit("NOT-A-UUID", 1, 5, false))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(commit(handle(1), 2, -5, false))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void fileLengthIsTheSumOfCommittedLengthsAndLocationsPage() {
    f.ok(create("", "/f"));
    for (int i = 0; i < 4; i++) {
      f.ok(allocate("", "/f", i, handle(10 + i), THREE, "cs1", 5_000));
      f.ok(commit(handle(10 + i), 1, 1000 + i, i < 3));
    }
    GetChunkLocationsResponse all = f.query(Ops.locations("", "/f", 0, 0)).getChunkLocations();
    assertThat(all.getFile().getLength()).isEqualTo(4006);
    assertThat(all.getFile().getChunkCount()).isEqualTo(4);
    assertThat(all.getChunkSize()).isZero();
    assertThat(all.getChunksList()).extracting(ChunkInfo::getIndex).containsExactly(0, 1, 2, 3);
    assertThat(f.query(Ops.locations("", "/f", 1, 2)).getChunkLocations().getChunksList())
        .extracting(ChunkInfo::getIndex).containsExactly(1, 2);
    assertThat(f.query(Ops.locations("", "/f", 9, 0)).getChunkLocations().getChunksList())
        .isEmpty();
    f.ok(Ops.mkdir("", "/d", false));
    assertThat(code(f.query(Ops.locations("", "/d", 0, 0))))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void grantExtendsForTheSamePrimaryBumpsForANewOneAndAbortsOtherwise() {
    f.ok(create("", "/f"));
    f.ok(allocate("", "/f", 0, handle(1), THREE, "cs1", 5_000));
    ChunkInfo extended = f.ok(grant(handle(1), "cs1", 1, 8_000, List.of())).getChunk();
    assertThat(extended.getVersion()).isEqualTo(1);
    assertThat(extended.getLeaseExpiryMs()).isEqualTo(8_000);
    assertThat(replicas(extended)).containsExactly("cs1", "cs2", "cs3");
    assertThat(code(f.apply(grant(handle(1), "cs2", 1, 9_000, THREE))))
        .isEqualTo(Status.Code.ABORTED);
    assertThat(code(f.apply(grant(handle(1), "cs2", 3, 9_000, THREE))))
        .isEqualTo(Status.Code.ABORTED);
    ChunkInfo bumped = f.ok(grant(handle(1), "cs2", 2, 9_000, List.of("cs2", "cs3"))).getChunk();
    assertThat(bumped.getVersion()).isEqualTo(2);
    assertThat(bumped.getPrimary()).isEqualTo("cs2");
    assertThat(replicas(bumped)).containsExactly("cs2", "cs3");
    assertThat(code(f.apply(grant(handle(2), "cs2", 2, 9_000, THREE))))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void replicaChangesRespectVersions() {
    f.ok(create("", "/f"));
    f.ok(allocate("", "/f", 0, handle(1), THREE, "cs1", 5_000));
    f.ok(grant(handle(1), "cs1", 2, 9_000, THREE));
    assertThat(f.ok(markStale(handle(1), "cs3", 1)).getCount()).isZero();
    assertThat(f.ok(markStale(handle(1), "cs3", 2)).getCount()).isEqualTo(1);
    assertThat(replicas(chunk(handle(1)))).containsExactly("cs1", "cs2");
    assertThat(f.ok(addReplica(handle(1), "cs4", 2)).getCount())
        .as("a copy is not added while the lease (until 9000) may be in force").isZero();
    f.clockMs = 9_000;
    assertThat(f.ok(addReplica(handle(1), "cs4", 1)).getCount()).isZero();
    assertThat(f.ok(addReplica(handle(1), "cs4", 2)).getCount()).isEqualTo(1);
    assertThat(f.ok(addReplica(handle(1), "cs4", 2)).getCount()).isZero();
    assertThat(f.ok(removeReplica(handle(1), "cs2")).getCount()).isEqualTo(1);
    assertThat(replicas(chunk(handle(1)))).containsExactly("cs1", "cs4");
    assertThat(code(f.apply(markStale(handle(7), "cs1", 2)))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(f.apply(addReplica(handle(1), "", 2))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(f.state.underReplicatedChunks(3, 10)).extracting(ChunkInfo::getHandle)
        .containsExactly(handle(1));
  }

  @Test
  void deletedAndOverwrittenFilesDropTheirChunksButRenameKeepsThem() {
    f.ok(create("", "/d/a"));
    f.ok(create("", "/b"));
    f.ok(allocate("", "/d/a", 0, handle(1), THREE, "cs1", 5_000));
    f.ok(allocate("", "/b", 0, handle(2), THREE, "cs1", 5_000));
    f.ok(rename("", "/d", "/e", false));
    assertThat(f.query(Ops.locations("", "/e/a", 0, 0)).getChunkLocations().getChunks(0)
        .getHandle()).isEqualTo(handle(1));
    f.ok(rename("", "/e/a", "/b", true));
    assertThat(f.state.chunk(handle(2))).isEmpty();
    assertThat(f.state.chunk(handle(1))).isPresent();
    f.ok(delete("", "/b", false));
    assertThat(f.state.chunk(handle(1))).isEmpty();
    assertThat(f.query(Ops.stats()).getStats().getChunkCount()).isZero();
    assertThat(code(f.query(Ops.chunk(handle(1))))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void deletingANamespaceDropsItsChunks() {
    f.ok(create("ns1", "/x/y"));
    f.ok(allocate("ns1", "/x/y", 0, handle(5), THREE, "cs1", 5_000));
    assertThat(f.ok(Ops.deleteNamespace("ns1")).getCount()).isEqualTo(2);
    assertThat(f.state.chunk(handle(5))).isEmpty();
  }
}
