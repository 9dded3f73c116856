package io.gfs.it.fault;

import io.gfs.client.FileStatus;
import io.gfs.client.GfsClient;
import io.gfs.client.GfsNotFoundException;
import io.gfs.client.internal.MasterClient;
import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetChunkLocationsResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the final state of a healed, quiet {@link ProcessCluster}: the appended files through the
 * SDK, the chunk lists and committed lengths from the master leader, and each replica's chunk file
 * straight from the chunkservers' data dirs.
 */
final class FinalStateCollector {
  private final ProcessCluster cluster;
  private final WorkloadSpec spec;

  FinalStateCollector(ProcessCluster cluster, WorkloadSpec spec) {
    this.cluster = cluster;
    this.spec = spec;
  }

  FinalState collect() {
    try (GfsClient gfs = cluster.client(Duration.ofSeconds(30), Duration.ofSeconds(3));
        MasterClient master = new MasterClient(
            Arrays.asList(cluster.masterAddresses().split(",")), Duration.ofSeconds(3),
            Duration.ofSeconds(30))) {
      Map<String, byte[]> files = new TreeMap<>();
      List<FinalState.ChunkReplicas> chunks = new ArrayList<>();
      for (int f = 0; f < spec.files(); f++) {
        String path = spec.appendPath(f);
        try {
          files.put(path, gfs.readFile(path));
        } catch (GfsNotFoundException e) {
          files.put(path, new byte[0]);
          continue;
        }
        for (ChunkInfo c : locations(master, path).getChunksList()) {
          Map<String, byte[]> replicas = new LinkedHashMap<>();
          for (ChunkLocation r : c.getReplicasList()) {
            replicas.put(r.getServerId(), chunkFile(r.getServerId(), c.getHandle()));
          }
          chunks.add(new FinalState.ChunkReplicas(path, c.getHandle(), c.getCommittedLength(),
              replicas));
        }
      }
      Set<String> metaNames = new HashSet<>();
      Set<String> metadataHandles = new HashSet<>();
      for (FileStatus s : gfs.list("/", true)) {
        if (s.directory()) {
          continue;
        }
        if (s.path().startsWith(WorkloadSpec.META_DIR + "/")) {
          metaNames.add(s.path());
        }
        for (ChunkInfo c : locations(master, s.path()).getChunksList()) {
          metadataHandles.add(c.getHandle());
        }
      }
      return new FinalState(files, metaNames, chunks, metadataHandles, diskHandles());
    }
  }

  private static GetChunkLocationsResponse locations(MasterClient master, String path) {
    return master.call("getChunkLocations", false, s -> s.getChunkLocations(
        GetChunkLocationsRequest.newBuilder().setNamespace(GfsClient.DEFAULT_NAMESPACE)
            .setPath(path).build()));
  }

  private byte[] chunkFile(String serverId, String handle) {
    Path dir = cluster.chunkserverDir(serverId);
    if (dir == null) {
      return new byte[0];
    }
    Path f = dir.resolve("chunks").resolve(handle + ".chunk");
    try {
      return Files.exists(f) ? Files.readAllBytes(f) : new byte[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Set<String> diskHandles() {
    Set<String> out = new HashSet<>();
    for (String id : cluster.chunkserverIds()) {
      Path chunks = cluster.chunkserverDir(id).resolve("chunks");
      if (!Files.isDirectory(chunks)) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(chunks, "*.chunk")) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          out.add(name.substring(0, name.length() - ".chunk".length()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }
}
