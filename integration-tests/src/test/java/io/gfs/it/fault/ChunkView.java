package io.gfs.it.fault;

import io.gfs.client.GfsClient;
import io.gfs.client.internal.MasterClient;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.GetChunkLocationsRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The master leader's view of a file's chunks, for choosing which replica to hurt. */
final class ChunkView implements AutoCloseable {
  private final MasterClient master;

  ChunkView(ProcessCluster cluster) {
    this.master = new MasterClient(Arrays.asList(cluster.masterAddresses().split(",")),
        Duration.ofSeconds(2), Duration.ofSeconds(20));
  }

  List<ChunkInfo> chunks(String path) {
    return master.call("getChunkLocations", false, s -> s.getChunkLocations(
        GetChunkLocationsRequest.newBuilder().setNamespace(GfsClient.DEFAULT_NAMESPACE)
            .setPath(path).build())).getChunksList();
  }

  /** The last chunk of the file, if the master answers. */
  Optional<ChunkInfo> lastChunk(String path) {
    try {
      List<ChunkInfo> cs = chunks(path);
      return cs.isEmpty() ? Optional.empty() : Optional.of(cs.get(cs.size() - 1));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The last chunk of the file while it has a primary with 3 replicas. */
  Optional<ChunkInfo> lastChunkWithPrimary(String path) {
    try {
      List<ChunkInfo> cs = chunks(path);
      if (cs.isEmpty()) {
        return Optional.empty();
      }
      ChunkInfo last = cs.get(cs.size() - 1);
      return !last.getPrimary().isEmpty() && last.getReplicasCount() == 3 ? Optional.of(last)
          : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    master.close();
  }
}
