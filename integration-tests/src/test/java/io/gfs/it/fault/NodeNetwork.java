package io.gfs.it.fault;

import java.util.List;

/** Where each node of a {@link ProcessCluster} lives on the network, and how links are cut. */
interface NodeNetwork extends AutoCloseable {
  /** The address node {@code node} binds and advertises. */
  String host(int node);

  /** The words to put before the node's {@code java} command (e.g. entering its namespace). */
  List<String> commandPrefix(int node);

  /** Whether {@link #cut} really isolates nodes. */
  boolean canCut();

  /** Drops all traffic between {@code a} and {@code b}, both ways, until {@link #healAll}. */
  void cut(int a, int b);

  void healAll();

  @Override
  void close();

  /** Every node on 127.0.0.1 with ports of its own; no partitions. */
  static NodeNetwork loopback() {
    return new NodeNetwork() {
      @Override
      public String host(int node) {
        return "127.0.0.1";
      }

      @Override
      public List<String> commandPrefix(int node) {
        return List.of();
      }

      @Override
      public boolean canCut() {
        return false;
      }

      @Override
      public void cut(int a, int b) {
        throw new UnsupportedOperationException("loopback network cannot be partitioned");
      }

      @Override
      public void healAll() {
      }

      @Override
      public void close() {
      }
    };
  }
}
