package io.gfs.client.internal.dataplane;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Persistent connections to one chunkserver. A connection is lent to one caller at a time only
 * while that caller writes frames (a write's DATA frames must not interleave with other frames);
 * replies are awaited after it is returned, so many requests are in flight on each connection.
 */
final class ConnectionPool {
  static final AttributeKey<DataPlaneConnection> CONNECTION =
      AttributeKey.valueOf("gfs.dataplane.connection");

  private final InetSocketAddress server;
  private final Bootstrap bootstrap;
  private final int connectionsMax;
  private final int waitersMax;
  // Guarded by this.
  private final List<DataPlaneConnection> connections = new ArrayList<>();
  private final ArrayDeque<CompletableFuture<DataPlaneConnection>> waiters = new ArrayDeque<>();
  private int connecting;

  ConnectionPool(InetSocketAddress server, Bootstrap bootstrap, int connectionsMax,
      int waitersMax) {
    this.server = server;
    this.bootstrap = bootstrap;
    this.connectionsMax = connectionsMax;
    this.waitersMax = waitersMax;
  }

  /** A connection to send on; give it back with {@link #release} once the frames are written. */
  CompletableFuture<DataPlaneConnection> acquire() {
    CompletableFuture<DataPlaneConnection> result = new CompletableFuture<>();
    synchronized (this) {
      for (DataPlaneConnection c : connections) {
        if (!c.busySending && c.isActive()) {
          c.busySending = true;
          return CompletableFuture.completedFuture(c);
        }
      }
      if (connections.size() + connecting >= connectionsMax) {
        if (waiters.size() >= waitersMax) {
          return CompletableFuture.failedFuture(new DataPlaneException(DataPlaneStatus.OVERLOADED,
              waitersMax + " requests already wait for a connection to " + server));
        }
        waiters.add(result);
        return result;
      }
      connecting++;
    }
    connect(result);
    return result;
  }

  void release(DataPlaneConnection connection) {
    CompletableFuture<DataPlaneConnection> next;
    synchronized (this) {
      if (!connection.isActive()) {
        connections.remove(connection);
        connection.busySending = false;
        next = connectForWaiterLocked();
        if (next != null) {
          connecting++;
        }
      } else {
        while ((next = waiters.poll()) != null && next.isDone()) {
          // the waiter gave up (deadline); try the next one
        }
        if (next == null) {
          connection.busySending = false;
          return;
        }
      }
    }
    if (!connection.isActive()) {
      connect(next);
    } else if (!next.complete(connection)) {
      release(connection);
    }
  }

  /** Connections currently open (for tests and metrics). */
  synchronized int openConnections() {
    return (int) connections.stream().filter(DataPlaneConnection::isActive).count();
  }

  private CompletableFuture<DataPlaneConnection> connectForWaiterLocked() {
    if (connections.size() + connecting >= connectionsMax) {
      return null;
    }
    CompletableFuture<DataPlaneConnection> waiter;
    while ((waiter = waiters.poll()) != null && waiter.isDone()) {
      // skip waiters whose deadline passed
    }
    return waiter;
  }

  private void connect(CompletableFuture<DataPlaneConnection> target) {
    bootstrap.connect(server).addListener(f -> {
      Channel channel = ((ChannelFuture) f).channel();
      if (!f.isSuccess()) {
        synchronized (this) {
          connecting--;
        }
        target.completeExceptionally(new DataPlaneException(DataPlaneStatus.UNAVAILABLE,
            "cannot connect to " + server, f.cause()));
        return;
      }
      DataPlaneConnection connection = channel.attr(CONNECTION).get();
      synchronized (this) {
        connecting--;
        connections.add(connection);
        connection.busySending = true;
      }
      channel.closeFuture().addListener(c -> onClosed(connection));
      if (!target.complete(connection)) {
        release(connection); // the caller's deadline passed while connecting
      }
    });
  }

  private void onClosed(DataPlaneConnection connection) {
    CompletableFuture<DataPlaneConnection> next;
    synchronized (this) {
      if (!connections.remove(connection) || connection.busySending) {
        return; // whoever holds it will release it
      }
      next = connectForWaiterLocked();
      if (next != null) {
        connecting++;
      }
    }
    if (next != null) {
      connect(next);
    }
  }
}
