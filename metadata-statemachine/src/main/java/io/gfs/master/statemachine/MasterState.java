package io.gfs.master.statemachine;

import io.gfs.proto.MasterCommand;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.MasterResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The master's replicated metadata: namespaces, directories, files, chunks. A pure, in-memory,
 * deterministic state: {@link #apply} is a function of (state, index, command) with no clock,
 * random source or I/O. Thread-safe: apply takes a write lock, queries a read lock.
 *
 * <p>CONTRACT (the Ratis adapter and the services code against it; the implementation is being
 * written in parallel):
 * <ul>
 *   <li>{@code apply} never throws for a command that is merely invalid in the current state
 *       (file exists, not found, ...): it returns a {@link MasterResult} with a non-zero gRPC code
 *       and changes nothing. It throws {@link IllegalStateException} only when an invariant is
 *       broken, which must stop the master.</li>
 *   <li>{@code query} answers {@link MasterQuery}s; results carry gRPC codes the same way.</li>
 *   <li>Checkpoints are a versioned protobuf stream with a CRC32C trailer; two states built by
 *       the same command sequence write byte-identical checkpoints.</li>
 * </ul>
 */
public final class MasterState {

  public MasterState() {
  }

  /** Applies one committed command at Raft log index {@code logIndex}. */
  public MasterResult apply(long logIndex, MasterCommand command) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Answers a read-only query against the current state. */
  public MasterQueryResult query(MasterQuery query) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Writes the whole state; {@code lastAppliedIndex} is recorded in the header. */
  public void writeCheckpoint(OutputStream out, long lastAppliedTerm, long lastAppliedIndex)
      throws IOException {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Reads a checkpoint written by {@link #writeCheckpoint}, verifying format version and checksum. */
  public static LoadedCheckpoint readCheckpoint(InputStream in) throws IOException {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** A state restored from a checkpoint, with the log position it reflects. */
  public record LoadedCheckpoint(MasterState state, long term, long index) {
  }
}
