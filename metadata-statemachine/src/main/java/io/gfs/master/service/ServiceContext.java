package io.gfs.master.service;

import io.gfs.master.lease.KeyedSequencer;
import io.gfs.master.lease.LeaseDecider;
import io.gfs.master.placement.PlacementPolicy;
import io.gfs.master.registry.ChunkserverRegistry;
import io.gfs.master.replication.ReplicationManager;
import io.gfs.master.server.MasterConfig;
import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/** What the three gRPC services share; built once by the master server. */
public record ServiceContext(
    MasterConfig config,
    RaftGateway gateway,
    ChunkserverRegistry registry,
    PlacementPolicy placement,
    LeaseDecider leases,
    InstantSource clock,
    RandomGenerator random,
    Executor executor,
    ReplicationManager replication) {

  Replies replies() {
    return new Replies();
  }

  ChunkViews views() {
    return new ChunkViews(registry);
  }

  KeyedSequencer newSequencer() {
    return new KeyedSequencer(executor);
  }
}
