package io.gfs.it.fault;

import io.gfs.it.fault.Unavailability.Probe;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Chunkserver faults under a workload: crashes mid-append, a paused primary, a flipped byte. */
class ChunkserverFaultTest {
  private static final long SEED = Long.getLong("gfs.fault.seed", 1);
  private static final String FILE = WorkloadSpec.defaults().appendPath(0);

  @Test
  void secondaryThenPrimaryKilledMidAppendLosesNothing() {
    try (ScenarioRun run = ScenarioRun.start("chunkserver-secondary-then-primary-kill", SEED,
            ClusterSpec.defaults(), WorkloadSpec.defaults());
        ChunkView view = new ChunkView(run.cluster())) {
      ProcessCluster c = run.cluster();
      run.awaitAppends(50, Duration.ofSeconds(90));
      ChunkInfo chunk = awaitChunk(view);
      String secondary = chunk.getReplicasList().stream().map(ChunkLocation::getServerId)
          .filter(id -> !id.equals(chunk.getPrimary())).findFirst().orElseThrow();
      long at = run.markFault(Probe.REPLICAS);
      c.chunkserver(secondary).kill();
      run.awaitRecovery(at, Probe.REPLICAS, Duration.ofSeconds(90));
      run.awaitAppends(40, Duration.ofSeconds(120));
      c.chunkserver(secondary).start();
      c.awaitChunkservers(3, Duration.ofSeconds(90));
      run.awaitAppends(30, Duration.ofSeconds(120));
      // The primary, killed while appends are in flight (between staging and commit at best).
      ChunkInfo again = awaitChunk(view);
      String primary = again.getPrimary();
      at = run.markFault(Probe.REPLICAS);
      c.chunkserver(primary).kill();
      run.awaitRecovery(at, Probe.REPLICAS, Duration.ofSeconds(120));
      run.awaitAppends(40, Duration.ofSeconds(120));
      c.chunkserver(primary).start();
      c.awaitChunkservers(3, Duration.ofSeconds(90));
      run.awaitAppends(20, Duration.ofSeconds(120));
      ScenarioRun.assertKept(run.finish());
    }
  }

  @Test
  @Tag("fault-full")
  void primaryPausedPastItsLeaseHasItsWritesRejected() {
    try (ScenarioRun run = ScenarioRun.start("chunkserver-primary-paused", SEED,
            ClusterSpec.defaults(), WorkloadSpec.defaults());
        ChunkView view = new ChunkView(run.cluster())) {
      ProcessCluster c = run.cluster();
      run.awaitAppends(50, Duration.ofSeconds(90));
      ChunkInfo chunk = awaitChunk(view);
      String primary = chunk.getPrimary();
      run.markFault(Probe.REPLICAS);
      c.chunkserver(primary).pause();
      // A new primary for the chunk (or a later one) means the paused one's lease is gone.
      Deadlines.await("another primary for " + FILE, Duration.ofSeconds(120),
          () -> view.lastChunk(FILE).filter(ch -> !ch.getPrimary().isEmpty()
              && !ch.getPrimary().equals(primary)),
          () -> "chunks=" + view.chunks(FILE));
      run.awaitAppends(40, Duration.ofSeconds(120));
      c.chunkserver(primary).resume();
      run.awaitAppends(40, Duration.ofSeconds(120));
      ScenarioRun.assertKept(run.finish());
    }
  }

  @Test
  void flippedByteInAChunkFileIsNeverServed() throws IOException {
    try (ScenarioRun run = ScenarioRun.start("chunkserver-byte-flip", SEED,
            ClusterSpec.defaults(), WorkloadSpec.defaults());
        ChunkView view = new ChunkView(run.cluster())) {
      ProcessCluster c = run.cluster();
      run.awaitAppends(150, Duration.ofSeconds(120));
      ChunkInfo first = Deadlines.await("a sealed first chunk of " + FILE, Duration.ofSeconds(120),
          () -> view.chunks(FILE).stream().filter(ChunkInfo::getSealed).findFirst(),
          () -> "chunks=" + view.chunks(FILE));
      String victim = first.getReplicas(0).getServerId();
      run.markFault(Probe.REPLICAS);
      c.chunkserver(victim).kill();
      Path chunkFile = c.chunkserverDir(victim).resolve("chunks")
          .resolve(first.getHandle() + ".chunk");
      long at = flipByte(chunkFile, first.getCommittedLength() / 2);
      System.out.println("scenario=chunkserver-byte-flip flipped server=" + victim + " chunk="
          + first.getHandle() + " offset=" + at);
      c.chunkserver(victim).start();
      c.awaitChunkservers(3, Duration.ofSeconds(90));
      run.awaitAppends(50, Duration.ofSeconds(120));
      // Whole-file reads while the workload goes on: a read served from the flipped replica
      // would show as a lost record or a stale read in the check.
      try (var gfs = c.client(Duration.ofSeconds(20), Duration.ofSeconds(2))) {
        for (int i = 0; i < 10; i++) {
          gfs.readFile(FILE);
        }
      }
      run.awaitAppends(100, Duration.ofSeconds(120));
      ChunkInfo now = view.chunks(FILE).get(0);
      System.out.println("scenario=chunkserver-byte-flip flipped_chunk_replicas_at_end="
          + now.getReplicasList().stream().map(ChunkLocation::getServerId).toList());
      ScenarioRun.assertKept(run.finish());
    }
  }

  private static long flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.flip();
      byte flipped = (byte) (b.get(0) ^ 0x5a);
      ch.write(ByteBuffer.wrap(new byte[] {flipped}), offset);
      ch.force(true);
    }
    return offset;
  }

  private static ChunkInfo awaitChunk(ChunkView view) {
    return Deadlines.await("a chunk of " + FILE + " with a primary and 3 replicas",
        Duration.ofSeconds(120), () -> view.lastChunkWithPrimary(FILE),
        () -> "chunks=" + view.chunks(FILE));
  }

}
