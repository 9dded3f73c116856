package io.gfs.chunkserver.dataplane;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The chunkserver's data-plane endpoint: clients read and write chunk bytes over the binary
 * protocol of docs/protocol.md; every request is handed to a {@link ChunkOperations}.
 *
 * <pre>{@code
 * DataPlaneConfig config = DataPlaneConfig.defaults("0.0.0.0", DataPlaneConfig.DEFAULT_PORT);
 * try (DataPlaneServer server = new DataPlaneServer("cs-1", config, chunkOperations)) {
 *   server.start();
 *   ...
 * }
 * }</pre>
 */
public final class DataPlaneServer implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(DataPlaneServer.class);

  private final String node;
  private final DataPlaneConfig config;
  private final ChunkOperations operations;
  /** How long a stopping server lets accepted requests finish before closing connections. */
  public static final Duration DRAIN_MAX = Duration.ofSeconds(5);
  /**
   * How long a stopping server, after telling each client GOING_AWAY, waits for the client to
   * hang up before it closes the connection itself.
   */
  static final Duration GOING_AWAY_LINGER = Duration.ofSeconds(1);

  private final ConnectionLimiter limiter;
  private final RequestGate gate = new RequestGate();
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private EventLoopGroup acceptGroup; // guarded by this
  private EventLoopGroup ioGroup; // guarded by this
  private ThreadPoolExecutor operationExecutor; // guarded by this
  private Channel serverChannel; // guarded by this

  private final DataPlaneMetrics metrics;

  public DataPlaneServer(String node, DataPlaneConfig config, ChunkOperations operations) {
    this(node, config, operations, new MetricRegistry());
  }

  /** Registers its metrics (gfs.chunkserver.dataplane.*) in {@code registry}. */
  public DataPlaneServer(String node, DataPlaneConfig config, ChunkOperations operations,
      MetricRegistry registry) {
    this.node = node;
    this.config = config;
    this.operations = operations;
    Counter refused = registry.counter(DataPlaneMetrics.PREFIX + "connections.refused");
    this.limiter = new ConnectionLimiter(node, config.connectionsMax(), refused);
    this.metrics = new DataPlaneMetrics(registry, limiter::openConnections);
  }

  /** Binds and starts accepting connections. */
  public synchronized void start() throws InterruptedException {
    if (serverChannel != null) {
      throw new IllegalStateException("already started");
    }
    LOG.info("{} data plane starting config={}", node, config);
    acceptGroup = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory("gfs-dataplane-accept"), NioIoHandler.newFactory());
    ioGroup = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(),
        new DefaultThreadFactory("gfs-dataplane-io"), NioIoHandler.newFactory());
    operationExecutor = new ThreadPoolExecutor(config.operationThreads(),
        config.operationThreads(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(config.operationQueueMax()),
        new DefaultThreadFactory("gfs-dataplane-op"), new ThreadPoolExecutor.AbortPolicy());
    ThreadPoolExecutor executor = operationExecutor;
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptGroup, ioGroup)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            ch.pipeline()
                .addLast("limit", limiter)
                .addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0,
                    TimeUnit.MILLISECONDS))
                .addLast("decode", new RequestDecoder(config.dataFrameBytesMax()))
                .addLast("serve", new ConnectionHandler(node, operations, executor, config,
                    metrics, gate));
          }
        });
    try {
      serverChannel = bootstrap.bind(config.bindAddress(), config.port()).sync().channel();
    } catch (RuntimeException | InterruptedException e) {
      shutdown();
      throw e;
    }
    LOG.info("{} data plane listening address={}", node, serverChannel.localAddress());
  }

  /** The bound address (with the actual port when the config asked for port 0). */
  public synchronized InetSocketAddress address() {
    if (serverChannel == null) {
      throw new IllegalStateException("not started");
    }
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** True once {@link #close} began: new requests are refused. */
  boolean stopping() {
    return gate.isClosed();
  }

  /** Connections currently open, including ones being refused. */
  public int openConnections() {
    return limiter.openConnections();
  }

  /** Connections accepted since start, refused ones included. */
  public long acceptedConnections() {
    return limiter.acceptedConnections();
  }

  /**
   * Stops gracefully: refuses new connections and requests, lets the accepted requests finish
   * (at most {@link #DRAIN_MAX}), then tells every client GOING_AWAY (answering what is left
   * with TIMEOUT) and closes the connections once the clients hung up (at most
   * {@link #GOING_AWAY_LINGER}).
   */
  @Override
  public synchronized void close() {
    gate.close();
    if (serverChannel != null) {
      LOG.info("{} data plane stopping inFlight={}", node, gate.active());
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
      try {
        if (!gate.awaitIdle(DRAIN_MAX)) {
          LOG.warn("{} data plane stopping with requests in flight inFlight={} waitedMs={}",
              node, gate.active(), DRAIN_MAX.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      goAway();
    }
    shutdown();
  }

  private void goAway() {
    for (Channel ch : connections) {
      ConnectionHandler handler = ch.pipeline().get(ConnectionHandler.class);
      if (handler != null) { // null once the channel closed and its pipeline was torn down
        ch.eventLoop().execute(() -> handler.goAway(GOING_AWAY_LINGER));
      }
    }
    // The handlers close their connections after the linger at the latest.
    if (!connections.newCloseFuture().awaitUninterruptibly(
        GOING_AWAY_LINGER.plusSeconds(1).toMillis())) {
      LOG.warn("{} data plane connections still open after GOING_AWAY open={}", node,
          connections.size());
    }
  }

  private void shutdown() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    if (acceptGroup != null) {
      acceptGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      acceptGroup = null;
    }
    if (ioGroup != null) {
      // Closing the connections aborts their in-progress write sessions.
      ioGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      ioGroup = null;
    }
    if (operationExecutor != null) {
      operationExecutor.shutdown();
      operationExecutor = null;
    }
  }
}
