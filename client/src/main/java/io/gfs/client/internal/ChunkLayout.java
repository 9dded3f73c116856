package io.gfs.client.internal;

import io.gfs.proto.ChunkInfo;
import io.gfs.proto.ChunkLocation;
import io.gfs.proto.FileInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A file's chunks as the master reported them at one moment. Sealed chunks' lengths are final;
 * the last chunk's length is a lower bound that a replica knows exactly.
 */
public record ChunkLayout(FileInfo file, List<ChunkInfo> chunks, long chunkSizeBytes, long fetchedNanos) {

  public ChunkLayout {
    chunks = List.copyOf(chunks);
  }

  public static UUID handle(ChunkInfo chunk) {
    return UUID.fromString(chunk.getHandle());
  }

  /** The replicas' data-plane addresses, primary first when it is known. */
  public static List<HostPorts.HostPort> replicas(ChunkInfo chunk) {
    List<HostPorts.HostPort> out = new ArrayList<>();
    for (ChunkLocation l : chunk.getReplicasList()) {
      HostPorts.HostPort hp = new HostPorts.HostPort(l.getHost(), l.getDataPort());
      if (l.getServerId().equals(chunk.getPrimary())) {
        out.add(0, hp);
      } else {
        out.add(hp);
      }
    }
    return out;
  }

  /** The primary's data-plane address, or null when the master named none. */
  public static HostPorts.HostPort primary(ChunkInfo chunk) {
    for (ChunkLocation l : chunk.getReplicasList()) {
      if (l.getServerId().equals(chunk.getPrimary())) {
        return new HostPorts.HostPort(l.getHost(), l.getDataPort());
      }
    }
    return null;
  }

  /** The server id of a replica address, for reports to the master. */
  public static String serverId(ChunkInfo chunk, HostPorts.HostPort replica) {
    for (ChunkLocation l : chunk.getReplicasList()) {
      if (l.getHost().equals(replica.host()) && l.getDataPort() == replica.port()) {
        return l.getServerId();
      }
    }
    return "";
  }
}
