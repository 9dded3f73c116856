package io.gfs.bench.jmh;

import io.gfs.master.statemachine.MasterState;
import io.gfs.proto.CreateFileOp;
import io.gfs.proto.MasterCommand;
import io.gfs.proto.MkdirOp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Loading a checkpoint from memory (no disk): what a restarting master spends on its namespace
 * before Raft starts (W7 has ~60,000 files). Files as W3 leaves them: directories of 10,000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CheckpointLoadBench {
  @Param({"60000", "1000000"})
  int files;

  private byte[] checkpoint;

  @Setup
  public void writeCheckpoint() throws IOException {
    MasterState state = new MasterState();
    long index = 0;
    int perDir = 10_000;
    for (int d = 0; d * perDir < files; d++) {
      state.apply(++index, MasterCommand.newBuilder().setTimestampMs(index)
          .setMkdir(MkdirOp.newBuilder().setNamespace("default").setPath("/bench/meta/r" + d)
              .setParents(true))
          .build());
    }
    for (int i = 0; i < files; i++) {
      state.apply(++index, MasterCommand.newBuilder().setTimestampMs(index)
          .setCreateFile(CreateFileOp.newBuilder().setNamespace("default")
              .setPath("/bench/meta/r" + i / perDir + "/f-" + i))
          .build());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    state.writeCheckpoint(out, 1, index);
    checkpoint = out.toByteArray();
  }

  @Benchmark
  public MasterState.LoadedCheckpoint load() throws IOException {
    return MasterState.readCheckpoint(new ByteArrayInputStream(checkpoint));
  }
}
