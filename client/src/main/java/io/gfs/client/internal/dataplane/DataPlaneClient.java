package io.gfs.client.internal.dataplane;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads and writes chunk bytes on chunkservers over the data-plane protocol (docs/protocol.md).
 * Keeps a pool of persistent, pipelined connections per chunkserver. Every call has a deadline;
 * failures complete the future with a {@link DataPlaneException} whose status says what happened
 * ({@link ChecksumMismatchException} for corrupt bytes). Futures complete on the given executor,
 * never on a Netty thread.
 *
 * <pre>{@code
 * DataPlaneClient client = new DataPlaneClient(DataPlaneClientConfig.defaults(), executor);
 * WriteResult w = client.append(server, handle, version, ByteBuffer.wrap(record),
 *     Duration.ofSeconds(30)).join();
 * ReadResult r = client.read(server, handle, version, w.offset(), record.length,
 *     Duration.ofSeconds(10)).join();
 * }</pre>
 */
public final class DataPlaneClient implements AutoCloseable {
  private static final int RECEIVE_BUFFER_BYTES_MAX = 256 * 1024;
  private final DataPlaneClientConfig config;
  private final Executor callbackExecutor;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final Map<InetSocketAddress, ConnectionPool> pools = new ConcurrentHashMap<>();

  public DataPlaneClient(DataPlaneClientConfig config, Executor callbackExecutor) {
    this.config = config;
    this.callbackExecutor = callbackExecutor;
    this.group = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(),
        new DefaultThreadFactory("gfs-dataplane-client"), NioIoHandler.newFactory());
    long dataBytesMax = config.readBytesMax() + 2L * WireFormat.BLOCK_BYTES;
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
        // Reads of up to 256 KiB per socket read instead of Netty's 64 KiB: a 4 MiB READ reply
        // then takes a quarter of the reads, decoder calls and slices. The guess adapts down
        // when less arrives, so small replies do not pin large buffers.
        .option(ChannelOption.RCVBUF_ALLOCATOR,
            new AdaptiveRecvByteBufAllocator(64, 2048, RECEIVE_BUFFER_BYTES_MAX))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            DataPlaneConnection connection = new DataPlaneConnection(ch);
            ch.attr(ConnectionPool.CONNECTION).set(connection);
            ch.pipeline()
                .addLast(new IdleStateHandler(0, 0, config.idleTimeout().toMillis(),
                    TimeUnit.MILLISECONDS))
                .addLast(new ReplyDecoder(dataBytesMax))
                .addLast(connection.handler());
          }
        });
  }

  /**
   * Reads {@code [offset, offset + length)} of a chunk, clipped to its committed length, into a
   * heap buffer of its own.
   */
  public CompletableFuture<ReadResult> read(InetSocketAddress server, UUID handle, long version,
      long offset, int length, Duration deadline) {
    CompletableFuture<ReadBuffers> buffers =
        readBuffers(server, handle, version, offset, length, deadline);
    CompletableFuture<ReadResult> result = buffers.thenApply(ReadBuffers::toReadResult);
    ReadBuffers.closeIfCancelled(result, buffers);
    return result;
  }

  /**
   * Reads {@code [offset, offset + length)} of a chunk, clipped to its committed length, and
   * hands over the verified bytes in the buffers they arrived in: the caller must close the
   * result. A result nobody receives (a cancelled future) is released here.
   */
  public CompletableFuture<ReadBuffers> readBuffers(InetSocketAddress server, UUID handle,
      long version, long offset, int length, Duration deadline) {
    if (offset < 0 || length < 0 || length > config.readBytesMax()) {
      return CompletableFuture.failedFuture(new DataPlaneException(
          DataPlaneStatus.INVALID_ARGUMENT, "read offset=" + offset + " length=" + length
              + " must satisfy offset >= 0 and 0 <= length <= " + config.readBytesMax()));
    }
    CompletableFuture<Reply> reply = call(server, deadline, (c, id, ms) ->
        c.send(id, RequestFrames.read(c.channel().alloc(), id, handle, version, offset, length,
            ms)));
    return relay(reply, r -> ReadVerifier.verifyAndTrim(server, handle,
        expect(r, Reply.ReadData.class), offset, length), ReadBuffers::close);
  }

  public CompletableFuture<ReadResult> read(InetSocketAddress server, String handle, long version,
      long offset, int length, Duration deadline) {
    return read(server, ChunkHandles.parse(handle), version, offset, length, deadline);
  }

  /** The committed length of the chunk's replica on {@code server}. */
  public CompletableFuture<Long> committedLength(InetSocketAddress server, UUID handle,
      long version, Duration deadline) {
    CompletableFuture<Reply> reply = call(server, deadline, (c, id, ms) ->
        c.send(id, RequestFrames.committedLength(c.channel().alloc(), id, handle, version, ms)));
    return relay(reply, r -> expect(r, Reply.CommittedLength.class).committedLength());
  }

  public CompletableFuture<Void> ping(InetSocketAddress server, Duration deadline) {
    CompletableFuture<Reply> reply = call(server, deadline, (c, id, ms) ->
        c.send(id, RequestFrames.ping(c.channel().alloc(), id)));
    return relay(reply, r -> {
      expect(r, Reply.Pong.class);
      return null;
    });
  }

  /** Writes {@code data} at {@code offset} (which must be the chunk's committed length). */
  public CompletableFuture<WriteResult> write(InetSocketAddress server, UUID handle, long version,
      long offset, ByteBuffer data, Duration deadline) {
    return write(server, handle, version, offset, List.of(data), deadline);
  }

  /** Record append: the primary chooses the offset. CHUNK_FULL means retry on the next chunk. */
  public CompletableFuture<WriteResult> append(InetSocketAddress server, UUID handle, long version,
      ByteBuffer data, Duration deadline) {
    return write(server, handle, version, -1, List.of(data), deadline);
  }

  /**
   * Writes (offset ≥ 0) or appends (offset = -1) the concatenation of {@code pieces}, streamed in
   * frames of at most {@code dataFrameBytes}. The buffers must not change until the future
   * completes; their positions are left untouched.
   */
  public CompletableFuture<WriteResult> write(InetSocketAddress server, UUID handle, long version,
      long offset, List<ByteBuffer> pieces, Duration deadline) {
    return write(server, handle, version, offset, WriteSource.of(pieces), deadline);
  }

  /**
   * Writes (offset ≥ 0) or appends (offset = -1) the bytes of {@code source}, pulled piece by
   * piece as the connection can send them. A source that yields more or fewer bytes than it
   * declared fails the call with INVALID_ARGUMENT (and the server aborts the write).
   */
  public CompletableFuture<WriteResult> write(InetSocketAddress server, UUID handle, long version,
      long offset, WriteSource source, Duration deadline) {
    long total = source.length();
    if (offset < -1 || total <= 0) {
      return CompletableFuture.failedFuture(new DataPlaneException(
          DataPlaneStatus.INVALID_ARGUMENT, "write offset=" + offset + " length=" + total
              + " must satisfy offset >= -1 and length > 0"));
    }
    int crc32c = source.crc32c();
    ConnectionPool pool = pool(server);
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    long deadlineMs = deadline.toMillis();
    armDeadline(reply, deadlineMs);
    pool.acquire().whenComplete((connection, failure) -> {
      if (failure != null) {
        reply.completeExceptionally(failure);
        return;
      }
      if (reply.isDone()) {
        pool.release(connection);
        return;
      }
      long id = connection.register(reply, deadlineMs);
      ByteBuf begin = RequestFrames.beginWrite(connection.channel().alloc(), id, handle,
          version, offset, total, crc32c, deadlineMs);
      WriteStreamer streamer = new WriteStreamer(connection, id, source,
          config.dataFrameBytes(), reply, () -> pool.release(connection));
      // BEGIN goes out with the first DATA frame in one flush: one event-loop task and, for a
      // small write, one segment the server reads at once.
      connection.channel().eventLoop().execute(() -> {
        connection.queue(id, begin);
        streamer.sendNext();
      });
    });
    return relay(reply, r -> {
      Reply.WriteDone done = expect(r, Reply.WriteDone.class);
      return new WriteResult(done.offset(), done.committedLength());
    });
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Open connections to {@code server} (for tests and metrics). */
  public int openConnections(InetSocketAddress server) {
    ConnectionPool pool = pools.get(server);
    return pool == null ? 0 : pool.openConnections();
  }

  private interface Sender {
    void send(DataPlaneConnection connection, long requestId, long timeoutMs);
  }

  /** One-frame request: borrow a connection just long enough to write the frame. */
  private CompletableFuture<Reply> call(InetSocketAddress server, Duration deadline,
      Sender sender) {
    ConnectionPool pool = pool(server);
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    long deadlineMs = deadline.toMillis();
    armDeadline(reply, deadlineMs);
    pool.acquire().whenComplete((connection, failure) -> {
      if (failure != null) {
        reply.completeExceptionally(failure);
        return;
      }
      try {
        if (!reply.isDone()) {
          sender.send(connection, connection.register(reply, deadlineMs), deadlineMs);
        }
      } finally {
        pool.release(connection);
      }
    });
    return reply;
  }

  /** The wait for a connection counts against the deadline too. */
  private void armDeadline(CompletableFuture<Reply> reply, long deadlineMs) {
    ScheduledFuture<?> timer = group.schedule(() -> reply.completeExceptionally(
        new DataPlaneException(DataPlaneStatus.TIMEOUT, "deadline of " + deadlineMs
            + " ms passed")), deadlineMs, TimeUnit.MILLISECONDS);
    reply.whenComplete((r, t) -> timer.cancel(false));
  }

  private ConnectionPool pool(InetSocketAddress server) {
    return pools.computeIfAbsent(server, s -> new ConnectionPool(s, bootstrap,
        config.connectionsPerServerMax(), config.waitersPerServerMax()));
  }

  /** {@link #relay(CompletableFuture, Function, Consumer)} for results that hold no buffers. */
  private <T> CompletableFuture<T> relay(CompletableFuture<Reply> reply, Function<Reply, T> map) {
    return relay(reply, map, unused -> { });
  }

  /**
   * Completes the caller's future on the callback executor, never on an event loop. A reply
   * that carries buffers is released if it is never mapped; a mapped value nobody can receive
   * any more (the caller's future was completed already) goes to {@code discard}.
   */
  private <T> CompletableFuture<T> relay(CompletableFuture<Reply> reply, Function<Reply, T> map,
      Consumer<T> discard) {
    CompletableFuture<T> result = new CompletableFuture<>();
    reply.whenComplete((r, t) -> {
      try {
        callbackExecutor.execute(() -> deliver(r, t, result, map, discard));
      } catch (RejectedExecutionException e) {
        if (r != null) {
          r.release();
        }
        result.completeExceptionally(new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
            "client closed", e));
      }
    });
    return result;
  }

  private static <T> void deliver(Reply r, Throwable t, CompletableFuture<T> result,
      Function<Reply, T> map, Consumer<T> discard) {
    if (t != null) {
      result.completeExceptionally(t instanceof CompletionException && t.getCause() != null
          ? t.getCause() : t);
      return;
    }
    T value;
    try {
      value = map.apply(r);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    if (!result.complete(value)) {
      discard.accept(value);
    }
  }

  /** A reply of another type than expected is released here (it carries no result). */
  private static <R extends Reply> R expect(Reply reply, Class<R> type) {
    if (!type.isInstance(reply)) {
      reply.release();
      throw new DataPlaneException(DataPlaneStatus.MALFORMED,
          "expected " + type.getSimpleName() + ", got " + reply);
    }
    return type.cast(reply);
  }
}
