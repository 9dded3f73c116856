package io.gfs.master.statemachine;

import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.MasterResult;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A MasterState plus the log position and leader clock a Raft log would give it. */
final class Fixture {
  final MasterState state;
  long index;
  long clockMs = 1_000;

  Fixture() {
    this(new MasterState(), 0);
  }

  Fixture(MasterState state, long index) {
    this.state = state;
    this.index = index;
  }

  MasterResult apply(MasterCommand command) {
    clockMs += 7;
    return state.apply(++index, command.toBuilder().setTimestampMs(clockMs).build());
  }

  /** Applies and requires OK. */
  MasterResult ok(MasterCommand command) {
    MasterResult r = apply(command);
    if (r.getCode() != 0) {
      throw new AssertionError("expected OK for " + command + " got " + code(r) + ": "
          + r.getMessage());
    }
    return r;
  }

  MasterQueryResult query(MasterQuery q) {
    return state.query(q);
  }

  byte[] checkpoint() {
    return checkpointOf(state);
  }

  static byte[] checkpointOf(MasterState state) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      state.writeCheckpoint(out, 3, 42);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static MasterState.LoadedCheckpoint restore(byte[] bytes) throws IOException {
    return MasterState.readCheckpoint(new ByteArrayInputStream(bytes));
  }

  static Status.Code code(MasterResult r) {
    return Status.fromCodeValue(r.getCode()).getCode();
  }

  static Status.Code code(MasterQueryResult r) {
    return Status.fromCodeValue(r.getCode()).getCode();
  }
}
