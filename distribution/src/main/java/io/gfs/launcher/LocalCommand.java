package io.gfs.launcher;

import io.gfs.chunkserver.primary.PrimarySettings;
import io.gfs.chunkserver.server.ChunkserverConfig;
import io.gfs.chunkserver.server.ChunkserverNode;
import io.gfs.chunkserver.server.NettyDataPlane;
import io.gfs.master.server.ConfigValues;
import io.gfs.master.server.MasterConfig;
import io.gfs.master.server.MasterServer;
import io.gfs.master.server.PeerSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gfs local}: the embedded default — 3 masters and 3 chunkservers on 127.0.0.1 in this one
 * process, with their data under one directory so that a restart keeps the files. Runs until
 * Ctrl-C (or SIGTERM), then stops cleanly.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run a local cluster (3 masters, 3 chunkservers on 127.0.0.1) until Ctrl-C.")
public final class LocalCommand implements Callable<Integer> {
  private static final Logger LOG = LogManager.getLogger(LocalCommand.class);
  private static final String HOST = "127.0.0.1";
  private static final int NODES = 3;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  @Option(names = "--dir", paramLabel = "DIR", description = "Data directory (default: ./gfs-data).")
  Path dir = Path.of("gfs-data");

  @Option(names = "--master-base-port", paramLabel = "PORT",
      description = "Masters' API ports are PORT..PORT+2, Raft ports PORT+10..PORT+12 (default: 9000).")
  int masterBasePort = 9000;

  @Option(names = "--chunkserver-base-port", paramLabel = "PORT",
      description = "Chunkserver i uses PORT+10i (data), +1 (replication), +2 (admin) (default: 8080).")
  int chunkserverBasePort = 8080;

  @Option(names = "--chunk-size", paramLabel = "SIZE",
      description = "Chunk size, e.g. 64MiB (default) or 1MiB to see many chunks.")
  String chunkSize = "64MiB";

  private final PrintStream out;

  public LocalCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    long chunkBytes = ConfigValues.bytes("chunk-size", chunkSize);
    Path root = dir.toAbsolutePath().normalize();
    Files.createDirectories(root);
    try (FileChannel lockFile = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        throw new IllegalArgumentException("another gfs local is using " + root);
      }
      checkPortsFree();
      return run(root, chunkBytes);
    }
  }

  private void checkPortsFree() {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      ports.add(masterBasePort + i);
      ports.add(masterBasePort + 10 + i);
      for (int k = 0; k < 3; k++) {
        ports.add(chunkserverBasePort + 10 * i + k);
      }
    }
    for (int port : ports) {
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
        s.setReuseAddress(true);
      } catch (IOException e) {
        throw new IllegalArgumentException("port " + port + " on " + HOST + " is in use (another "
            + "gfs local?); choose others with --master-base-port/--chunkserver-base-port");
      }
    }
  }

  private int run(Path root, long chunkBytes) throws Exception {
    List<PeerSpec> peers = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      peers.add(new PeerSpec("m" + (i + 1), HOST, masterBasePort + 10 + i, masterBasePort + i));
    }
    List<MasterServer> masters = new ArrayList<>();
    List<ChunkserverNode> chunkservers = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      out.println("gfs local: stopping");
      stopAll(chunkservers, masters);
      stopped.countDown();
    }, "gfs-local-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      for (PeerSpec p : peers) {
        MasterConfig d = MasterConfig.withDefaults(p.id(), peers, root.resolve(p.id()));
        MasterConfig c = d.withChunkSize(chunkBytes);
        MasterServer m = new MasterServer(c, Clock.systemUTC(), new SecureRandom(), null,
            failure -> {
              LOG.fatal("{} state machine failure: stopping the local cluster", p.id(), failure);
              Runtime.getRuntime().halt(1);
            });
        masters.add(m);
        m.start();
      }
      String masterList = peers.stream().map(PeerSpec::apiAddress).collect(Collectors.joining(","));
      for (int i = 0; i < NODES; i++) {
        int base = chunkserverBasePort + 10 * i;
        ChunkserverConfig c = new ChunkserverConfig("cs" + (i + 1), root.resolve("cs" + (i + 1)),
            HOST, HOST, base, base + 1, base + 2,
            peers.stream().map(PeerSpec::apiAddress).toList(), Duration.ofSeconds(1), chunkBytes,
            8, true, true, PrimarySettings.defaults(), "gfs-local");
        ChunkserverNode node = new ChunkserverNode(c, NettyDataPlane.STARTER, InstantSource.system());
        chunkservers.add(node);
        node.start();
      }
      awaitReady(masters);
      out.println();
      out.println("gfs local: ready. Data in " + root);
      out.println("  masters      " + masterList);
      for (ChunkserverNode cs : chunkservers) {
        out.println("  chunkserver  " + cs.config().id() + " data " + HOST + ":"
            + cs.location().getDataPort());
      }
      out.println("Try:  ./gfs put README.md /readme   ./gfs ls -l /   ./gfs raft status");
      out.println("(other shells: --masters " + masterList + ", or GFS_MASTERS). Ctrl-C stops.");
      out.flush();
      stopped.await();
      return 0;
    } catch (Exception | Error e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      stopAll(chunkservers, masters);
      throw e;
    }
  }

  private static void awaitReady(List<MasterServer> masters) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (MasterServer m : masters) {
        if (m.isLeader() && m.registry().live().size() >= NODES) {
          return;
        }
      }
      Thread.sleep(100); // polling start-up, bounded by READY_TIMEOUT
    }
    throw new IllegalStateException("the local cluster did not become ready within "
        + READY_TIMEOUT.toSeconds() + " s (see the log above)");
  }

  private static void stopAll(List<ChunkserverNode> chunkservers, List<MasterServer> masters) {
    chunkservers.forEach(ChunkserverNode::close);
    masters.forEach(MasterServer::close);
  }
}
