package io.gfs.chunkserver.primary;

import io.gfs.chunkserver.dataplane.PeerStages;
import io.gfs.chunkserver.master.MasterCalls;
import io.gfs.chunkserver.replication.PeerChannels;
import io.gfs.chunkserver.replication.ReplicaEngine;
import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What every write session of this server shares. {@code stageIds} names staged mutations; it
 * starts from the clock so a restarted primary does not reuse a stage id still on a replica.
 */
record PrimaryContext(
    String nodeId,
    ReplicaEngine engine,
    PeerChannels peers,
    PeerStages stages,
    MasterCalls master,
    LeaseTable leases,
    CommitReporter reporter,
    Executor io,
    ScheduledExecutorService timer,
    InstantSource clock,
    PrimarySettings settings,
    LongSupplier chunkSizeBytes,
    WriteMetrics metrics,
    AtomicLong stageIds) {}
