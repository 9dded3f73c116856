package io.gfs.bench;

import io.gfs.client.internal.MasterClient;
import io.gfs.client.internal.MasterOps;
import io.gfs.client.internal.HostPorts;
import io.gfs.proto.GetChunkLocationsResponse;
import java.time.Duration;

/** A bare master connection for W4: every lookup asks the leader (no location cache). */
final class MasterLookup implements AutoCloseable {
  private final MasterClient client;
  private final MasterOps ops;

  MasterLookup(String masters) {
    this.client = new MasterClient(HostPorts.parseList(masters), Duration.ofSeconds(5),
        Duration.ofSeconds(60));
    this.ops = new MasterOps(client, "bench-lookup");
  }

  GetChunkLocationsResponse locate(String path, int chunkIndex) {
    return ops.locations("default", path, chunkIndex, 1, false);
  }

  @Override
  public void close() {
    client.close();
  }
}
