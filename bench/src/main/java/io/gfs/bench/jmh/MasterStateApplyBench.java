package io.gfs.bench.jmh;

import io.gfs.master.statemachine.MasterState;
import io.gfs.proto.CreateFileOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterResult;
import io.gfs.proto.MkdirOp;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * MasterState.apply of a create (the W3 command) into one directory that grows as it runs, as
 * the state machine applies committed log entries: the in-memory cost per Raft entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MasterStateApplyBench {
  private MasterState state;
  private long index;
  private long file;

  @Setup(Level.Iteration)
  public void freshState() {
    state = new MasterState();
    index = 0;
    state.apply(++index, MasterCommand.newBuilder().setTimestampMs(1)
        .setMkdir(MkdirOp.newBuilder().setNamespace("default").setPath("/bench").setParents(true))
        .build());
  }

  @Benchmark
  public MasterResult createFile() {
    MasterCommand cmd = MasterCommand.newBuilder().setTimestampMs(index)
        .setCreateFile(CreateFileOp.newBuilder().setNamespace("default")
            .setPath("/bench/f-" + (file++)))
        .build();
    return state.apply(++index, cmd);
  }

  @Benchmark
  public MasterResult createFileFromBytes() throws Exception {
    // As the state machine sees it: the command arrives as log-entry bytes.
    byte[] bytes = MasterCommand.newBuilder().setTimestampMs(index)
        .setCreateFile(CreateFileOp.newBuilder().setNamespace("default")
            .setPath("/bench/g-" + (file++)))
        .build().toByteArray();
    return state.apply(++index, MasterCommand.parseFrom(bytes));
  }
}
