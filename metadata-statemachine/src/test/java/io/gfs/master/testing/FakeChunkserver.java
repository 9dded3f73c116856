package io.gfs.master.testing;

import io.gfs.proto.ChunkLocation;
import io.gfs.proto.ChunkserverIdentity;
import io.gfs.proto.HeartbeatRequest;
import io.gfs.proto.HeartbeatResponse;
import io.gfs.proto.RegisterRequest;
import io.gfs.proto.ResourceUsage;
import java.util.concurrent.TimeUnit;

/**
 * A chunkserver's control-plane side only: registers with and heartbeats to every running
 * master through the real gRPC API, as real chunkservers do.
 */
public final class FakeChunkserver {

  private final MasterTestCluster cluster;
  private final ChunkserverIdentity identity;
  private final ResourceUsage usage;

  public FakeChunkserver(MasterTestCluster cluster, String serverId, int dataPort,
      long freeBytes) {
    this.cluster = cluster;
    this.identity = ChunkserverIdentity.newBuilder()
        .setServerId(serverId)
        .setAddress(ChunkLocation.newBuilder().setServerId(serverId).setHost("127.0.0.1")
            .setDataPort(dataPort).setReplicationPort(dataPort + 1))
        .setAdminPort(dataPort + 2)
        .setBuildInfo("fake-1.0")
        .build();
    this.usage = ResourceUsage.newBuilder().setFreeBytes(freeBytes)
        .setDiskTotalBytes(freeBytes * 2).setDiskUsedBytes(freeBytes).build();
  }

  public String id() {
    return identity.getServerId();
  }

  public void registerEverywhere() {
    for (String m : cluster.ids()) {
      if (cluster.isRunning(m)) {
        cluster.controlStub(m).withDeadlineAfter(10, TimeUnit.SECONDS).register(
            RegisterRequest.newBuilder().setIdentity(identity).setUsage(usage).build());
      }
    }
  }

  /** One heartbeat to every running master; registers where a master asks for it. */
  public void heartbeatEverywhere() {
    for (String m : cluster.ids()) {
      if (cluster.isRunning(m)) {
        HeartbeatResponse r = cluster.controlStub(m).withDeadlineAfter(10, TimeUnit.SECONDS)
            .heartbeat(HeartbeatRequest.newBuilder().setIdentity(identity).setUsage(usage)
                .build());
        if (r.getReregister()) {
          cluster.controlStub(m).withDeadlineAfter(10, TimeUnit.SECONDS).register(
              RegisterRequest.newBuilder().setIdentity(identity).setUsage(usage).build());
        }
      }
    }
  }
}
