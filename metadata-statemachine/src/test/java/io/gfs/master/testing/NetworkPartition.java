package io.gfs.master.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which Raft links between masters are cut. Shared by the masters' {@link LinkCutter}s of one
 * test cluster (one instance per cluster, no static state).
 */
public final class NetworkPartition {

  private final Set<String> cut = ConcurrentHashMap.newKeySet();

  /** Cuts both directions between {@code a} and {@code b}. */
  public void cut(String a, String b) {
    cut.add(a + "|" + b);
    cut.add(b + "|" + a);
  }

  public void heal() {
    cut.clear();
  }

  /** True when requests from {@code from} must not reach {@code to}. */
  public boolean isCut(String from, String to) {
    return cut.contains(from + "|" + to);
  }
}
