package io.gfs.chunkserver.testing;

import static org.awaitility.Awaitility.await;

import io.gfs.chunkserver.dataplane.ChunkOperations.WriteOutcome;
import io.gfs.chunkserver.dataplane.ChunkOperations.WriteSession;
import io.gfs.chunkserver.primary.PrimarySettings;
import io.gfs.chunkserver.server.ChunkserverConfig;
import io.gfs.chunkserver.server.ChunkserverNode;
import io.gfs.chunkserver.server.NettyDataPlane;
import io.gfs.chunkserver.storage.ChunkMeta;
import io.gfs.chunkserver.storage.Crc32cBlocks;
import io.gfs.proto.ChunkLocation;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Real chunkservers on 127.0.0.1 ephemeral ports, with a real gRPC fake master. */
public final class TestCluster implements AutoCloseable {
  /**
   * Short leases and reports; the deadline of one call to a secondary stays at 10 s, as a whole
   * multi-MiB stage on a loaded 2-core machine can take seconds (2 s made a 9 MiB write flaky).
   */
  public static final PrimarySettings FAST = new PrimarySettings(Duration.ofSeconds(10),
      Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(2), Duration.ofMillis(50));

  public final FakeMaster master;
  private final Path root;
  private final long chunkSizeBytes;
  private final ChunkserverNode[] nodes;

  private final List<String> masterAddresses;
  private final ChunkserverNode.DataPlaneStarter dataPlanes;

  /**
   * Every chunkserver with its data plane; once all are up, each has learned that the others
   * take stages over it, so primaries stream to secondaries there (not over gRPC) from the start.
   */
  public TestCluster(Path root, int size, long chunkSizeBytes) throws Exception {
    this(root, size, chunkSizeBytes, new FakeMaster(60_000, chunkSizeBytes), List.of());
  }

  /** Chunkservers without data planes: primaries stream to secondaries over gRPC. */
  public static TestCluster withoutDataPlanes(Path root, int size, long chunkSizeBytes)
      throws Exception {
    return new TestCluster(root, size, chunkSizeBytes, new FakeMaster(60_000, chunkSizeBytes),
        List.of(), ChunkserverNode.DataPlaneStarter.NONE, c -> { });
  }

  /**
   * As {@link #TestCluster(Path, int, long)}, with {@code beforeProbes} run once every node is
   * up and before they ask each other what their data planes take (e.g. to make one answer as
   * an older version would).
   */
  public static TestCluster configured(Path root, int size, long chunkSizeBytes,
      Consumer<TestCluster> beforeProbes) throws Exception {
    return new TestCluster(root, size, chunkSizeBytes, new FakeMaster(60_000, chunkSizeBytes),
        List.of(), NettyDataPlane.STARTER, beforeProbes);
  }

  /** {@code extraMasters}: more master addresses every chunkserver also heartbeats to. */
  public TestCluster(Path root, int size, long chunkSizeBytes, FakeMaster master,
      List<String> extraMasters) throws Exception {
    this(root, size, chunkSizeBytes, master, extraMasters, NettyDataPlane.STARTER, c -> { });
  }

  private TestCluster(Path root, int size, long chunkSizeBytes, FakeMaster master,
      List<String> extraMasters, ChunkserverNode.DataPlaneStarter dataPlanes,
      Consumer<TestCluster> beforeProbes) throws Exception {
    this.dataPlanes = dataPlanes;
    this.root = root;
    this.chunkSizeBytes = chunkSizeBytes;
    this.master = master;
    List<String> all = new ArrayList<>(extraMasters);
    all.add(master.address());
    this.masterAddresses = List.copyOf(all);
    this.nodes = new ChunkserverNode[size];
    for (int i = 0; i < size; i++) {
      start(i);
    }
    beforeProbes.accept(this);
    if (dataPlanes != ChunkserverNode.DataPlaneStarter.NONE) {
      for (ChunkserverNode from : nodes) {
        for (ChunkserverNode to : nodes) {
          if (from != to) {
            await().atMost(Duration.ofSeconds(30)).until(() -> from.peerStages()
                .takesStages(to.location().getHost(), to.location().getDataPort()));
          }
        }
      }
    }
  }

  public static String id(int i) {
    return "cs" + (i + 1);
  }

  public ChunkserverNode start(int i) throws Exception {
    ChunkserverConfig config = new ChunkserverConfig(id(i), root.resolve(id(i)), "127.0.0.1",
        "127.0.0.1", 0, 0, 0, masterAddresses, Duration.ofMillis(200),
        chunkSizeBytes, 4, true, true, FAST, "test");
    nodes[i] = new ChunkserverNode(config, dataPlanes, InstantSource.system()).start();
    return nodes[i];
  }

  public void stop(int i) {
    nodes[i].close();
  }

  public ChunkserverNode node(int i) {
    return nodes[i];
  }

  public List<ChunkLocation> locations(int... indexes) {
    List<ChunkLocation> out = new ArrayList<>();
    for (int i : indexes) {
      out.add(nodes[i].location());
    }
    return out;
  }

  /** Sends one write (offset ≥ 0) or record append (offset = -1) through node i's data plane. */
  public CompletableFuture<WriteOutcome> write(int i, String handle, long version, long offset,
      byte[] data) {
    return write(i, handle, version, offset, data, 16 * 1024);
  }

  /** As {@link #write(int, String, long, long, byte[])}, in pieces of {@code piece} bytes. */
  public CompletableFuture<WriteOutcome> write(int i, String handle, long version, long offset,
      byte[] data, int piece) {
    WriteSession s = nodes[i].operations().beginWrite(handle, version, offset, data.length,
        Crc32cBlocks.crc(data, 0, data.length));
    CompletableFuture<Void> fed = CompletableFuture.completedFuture(null);
    for (int off = 0; off < data.length; off += piece) {
      int from = off;
      int len = Math.min(piece, data.length - off);
      fed = fed.thenCompose(v -> s.onData(Unpooled.wrappedBuffer(data, from, len)));
    }
    return fed.thenCompose(v -> s.finish()).toCompletableFuture();
  }

  /**
   * Node i's committed bytes of a chunk, once no primary has a COMMIT in flight: a write is
   * acknowledged when a quorum has committed, and the slowest replica may still be applying it.
   */
  public byte[] committedBytes(int i, String handle) {
    awaitCommitsSettled();
    long len = nodes[i].store().state(handle).orElseThrow().committedLength();
    byte[] out = new byte[(int) len];
    int pos = 0;
    while (pos < len) {
      byte[] piece = nodes[i].store().readCommitted(handle, pos, len - pos);
      System.arraycopy(piece, 0, out, pos, piece.length);
      pos += piece.length;
    }
    return out;
  }

  /** Node i's state of a chunk, once no primary has a COMMIT in flight (see committedBytes). */
  public ChunkMeta state(int i, String handle) {
    awaitCommitsSettled();
    return nodes[i].store().state(handle).orElseThrow();
  }

  /** Waits until no primary in the cluster has a COMMIT to a secondary unanswered. */
  public void awaitCommitsSettled() {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (ChunkserverNode n : nodes) {
        if (n != null && n.metrics().counter("gfs.chunkserver.write.commits.in_flight")
            .getCount() != 0) {
          return false;
        }
      }
      return true;
    });
  }

  @Override
  public void close() throws Exception {
    for (ChunkserverNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
    master.close();
  }
}
