package io.gfs.master.statemachine;

import static io.gfs.master.statemachine.Fixture.code;
import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.proto.BatchOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterResult;
import io.grpc.Status;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** apply re-checks everything from the log: bad input is an error result that changes nothing. */
class CommandValidationTest {
  private static final List<String> R = List.of("cs1");

  static Stream<Arguments> badCommands() {
    String h = Ops.handle(1);
    return Stream.of(
        Arguments.of(Ops.create("", "relative"), "not absolute"),
        Arguments.of(Ops.create("", ""), "empty"),
        Arguments.of(Ops.create("", "/a/../b"), "'.' or '..'"),
        Arguments.of(Ops.mkdir("", "/a//b", true), "empty segment"),
        Arguments.of(Ops.mkdir("", "/a\u0000", true), "NUL"),
        Arguments.of(Ops.create("", "/" + "x".repeat(300)), "255 bytes"),
        Arguments.of(Ops.create("", ("/" + "x".repeat(100)).repeat(41)), "4096 bytes"),
        Arguments.of(Ops.create("BAD", "/a"), "invalid namespace name"),
        Arguments.of(Ops.delete("", "/a\tb", false), "control character"),
        Arguments.of(Ops.rename("", "/a", "b", false), "not absolute"),
        Arguments.of(Ops.deleteNamespace("no/slash"), "invalid namespace name"),
        Arguments.of(Ops.allocate("", "/f", 0, "NOPE", R, "cs1", 1), "chunk handle"),
        Arguments.of(Ops.allocate("", "/f", 0, h, R, "cs1", -1), "lease expiry"),
        Arguments.of(Ops.allocate("", "/f", 0, h, R, "cs7", 1), "not one of the replicas"),
        Arguments.of(Ops.allocate("", "/f", 0, h, List.of(), "cs1", 1), "replica list is empty"),
        Arguments.of(Ops.commit("x", 1, 1, false), "chunk handle"),
        Arguments.of(Ops.commit(h, 1, -1, false), "committed length"),
        Arguments.of(Ops.commit(h, -1, 1, false), "version"),
        Arguments.of(Ops.grant(h, "", 2, 1, R), "primary is empty"),
        Arguments.of(Ops.grant(h, "cs1", -2, 1, R), "version"),
        Arguments.of(Ops.markStale("", "cs1", 1), "chunk handle"),
        Arguments.of(Ops.addReplica(h, "a\nb", 1), "control character"));
  }

  @ParameterizedTest
  @MethodSource("badCommands")
  void badCommandsAreInvalidArgumentAndChangeNothing(MasterCommand command, String problem) {
    Fixture f = new Fixture();
    f.ok(Ops.create("", "/f"));
    f.ok(Ops.allocate("", "/f", 0, Ops.handle(1), R, "cs1", 1));
    byte[] before = f.checkpoint();
    MasterResult r = f.apply(command);
    assertThat(code(r)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(r.getMessage()).contains(problem);
    assertThat(f.checkpoint()).isEqualTo(before);
  }

  static Stream<Arguments> badQueries() {
    return Stream.of(
        Arguments.of(Ops.getFile("", "x"), "not absolute"),
        Arguments.of(Ops.getFile("UP", "/x"), "invalid namespace name"),
        Arguments.of(Ops.list("", "/a/./b", false, 0, ""), "'.' or '..'"),
        Arguments.of(Ops.list("", "/", false, 0, "%%%"), "invalid page token"),
        Arguments.of(Ops.locations("", "//", 0, 0), "empty segment"),
        Arguments.of(Ops.chunk("ABC"), "chunk handle"),
        Arguments.of(MasterQuery.getDefaultInstance(), "no request"));
  }

  @ParameterizedTest
  @MethodSource("badQueries")
  void badQueriesAreInvalidArgument(MasterQuery query, String problem) {
    Fixture f = new Fixture();
    var r = f.query(query);
    assertThat(code(r)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(r.getMessage()).contains(problem);
  }

  @org.junit.jupiter.api.Test
  void queriesOnUnknownNamespacesAreNotFoundButDefaultAlwaysExists() {
    Fixture f = new Fixture();
    assertThat(code(f.query(Ops.getFile("ghost", "/")))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(f.query(Ops.list("ghost", "/", false, 0, ""))))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(f.query(Ops.list("", "/", false, 0, "")))).isEqualTo(Status.Code.OK);
    assertThat(code(f.query(Ops.getFile("default", "/x")))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @org.junit.jupiter.api.Test
  void aBatchAppliesEachCommandAsIfAloneAndOneFailingStopsNoOther() {
    MasterState state = new MasterState();
    MasterCommand batch = MasterCommand.newBuilder().setBatch(BatchOp.newBuilder()
        .addCommands(at(7, Ops.create("", "/a")))
        .addCommands(at(7, Ops.create("", "/a")))  // ALREADY_EXISTS: the first one created it
        .addCommands(at(7, Ops.create("", "relative")))
        .addCommands(at(14, Ops.create("", "/b")))).build();
    MasterResult r = state.apply(1, batch);
    assertThat(r.getBatchList()).extracting(c -> code(c)).containsExactly(Status.Code.OK,
        Status.Code.ALREADY_EXISTS, Status.Code.INVALID_ARGUMENT, Status.Code.OK);
    assertThat(r.getBatch(1).getMessage()).contains("/a");
    MasterState alone = new MasterState();
    alone.apply(1, at(7, Ops.create("", "/a")));
    alone.apply(2, at(14, Ops.create("", "/b")));
    assertThat(Fixture.checkpointOf(state)).isEqualTo(Fixture.checkpointOf(alone));
  }

  private static MasterCommand at(long timestampMs, MasterCommand command) {
    return command.toBuilder().setTimestampMs(timestampMs).build();
  }

  /**
   * A command with an operation this build does not know can only come from a newer master
   * (the leader refuses it before it reaches the log): applying it as an error would let this
   * replica diverge from those that apply it, so it stops the master. A nested batch likewise.
   */
  @org.junit.jupiter.api.Test
  void anUnknownOperationOrANestedBatchStopsTheMaster() throws Exception {
    MasterCommand fromNewerMaster = MasterCommand.parseFrom(
        com.google.protobuf.UnknownFieldSet.newBuilder()
            .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("x")).build())
            .build().toByteString());
    assertThat(fromNewerMaster.getOpCase()).isEqualTo(MasterCommand.OpCase.OP_NOT_SET);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new MasterState().apply(1, fromNewerMaster))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not know");
    MasterCommand nested = MasterCommand.newBuilder().setBatch(BatchOp.newBuilder()
        .addCommands(MasterCommand.newBuilder().setBatch(BatchOp.newBuilder()
            .addCommands(Ops.create("", "/a"))))).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MasterState().apply(1, nested))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("batch inside a batch");
  }

  @org.junit.jupiter.api.Test
  void aLogIndexThatDoesNotIncreaseStopsTheMaster() {
    MasterState s = new MasterState();
    s.apply(5, Ops.create("", "/a"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.apply(5, Ops.create("", "/b")))
        .isInstanceOf(IllegalStateException.class);
  }
}
