package io.gfs.it.cluster;

import io.gfs.chunkserver.primary.PrimarySettings;
import io.gfs.chunkserver.server.ChunkserverConfig;
import io.gfs.chunkserver.server.ChunkserverNode;
import io.gfs.chunkserver.server.NettyDataPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One chunkserver of a {@link MiniCluster} that can be stopped and started again on the same data
 * directory. The first start binds ephemeral ports; a restart asks for the same ports again (as a
 * real restarted server would) and falls back to new ephemeral ones if another process took them
 * meanwhile — the master learns the address from the next registration either way.
 */
public final class MiniChunkserver implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(MiniChunkserver.class);

  private final String id;
  private final Path dataDir;
  private final List<String> masters;
  private final long chunkSizeBytes;
  private final Duration heartbeatInterval;
  // guarded by this
  private ChunkserverNode node;
  private int dataPort;
  private int replicationPort;

  MiniChunkserver(String id, Path dataDir, List<String> masters, long chunkSizeBytes,
      Duration heartbeatInterval) {
    this.id = id;
    this.dataDir = dataDir;
    this.masters = List.copyOf(masters);
    this.chunkSizeBytes = chunkSizeBytes;
    this.heartbeatInterval = heartbeatInterval;
  }

  private ChunkserverConfig config(int data, int replication) {
    // Short replica deadline: a stopped secondary is given up on quickly and marked stale.
    PrimarySettings d = PrimarySettings.defaults();
    PrimarySettings primary = new PrimarySettings(Duration.ofSeconds(5), d.masterDeadline(),
        Duration.ofMillis(500), Duration.ofSeconds(2), d.commitReportInterval());
    return new ChunkserverConfig(id, dataDir, MiniCluster.HOST, MiniCluster.HOST, data,
        replication, 0, masters, heartbeatInterval, chunkSizeBytes, 4, true, true, primary,
        "mini-cluster");
  }

  synchronized void start() {
    if (node != null) {
      throw new IllegalStateException(id + " is already running");
    }
    try {
      node = new ChunkserverNode(config(dataPort, replicationPort), NettyDataPlane.STARTER,
          InstantSource.system()).start();
    } catch (Exception first) {
      if (dataPort == 0) {
        throw new IllegalStateException(id + " did not start", first);
      }
      LOG.warn("{} restart on old ports failed, using new ones dataPort={} error={}", id,
          dataPort, first.toString());
      try {
        node = new ChunkserverNode(config(0, 0), NettyDataPlane.STARTER,
            InstantSource.system()).start();
      } catch (Exception second) {
        second.addSuppressed(first);
        throw new IllegalStateException(id + " did not start", second);
      }
    }
    dataPort = node.location().getDataPort();
    replicationPort = node.location().getReplicationPort();
  }

  synchronized void stop() {
    if (node != null) {
      node.close();
      node = null;
    }
  }

  public String id() {
    return id;
  }

  public Path dataDir() {
    return dataDir;
  }

  public synchronized boolean isRunning() {
    return node != null;
  }

  /** The running node (its store, operations, metrics). */
  public synchronized ChunkserverNode node() {
    if (node == null) {
      throw new IllegalStateException(id + " is not running");
    }
    return node;
  }

  /** The data port it last bound (0 before the first start). */
  public synchronized int dataPort() {
    return dataPort;
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public synchronized String toString() {
    return id + "@" + MiniCluster.HOST + ":" + dataPort + (node == null ? "(stopped)" : "");
  }
}
