package io.gfs.it.fault;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Each node in a network namespace of its own, joined by veth pairs to a bridge that also carries
 * the test JVM's address. A cut adds blackhole routes inside both namespaces, so TCP between the
 * two nodes really stops while each still reaches everything else. Needs root and iproute2.
 * Everything it creates is named with {@link #PREFIX}, so a crashed run's leftovers are removed at
 * the next start.
 */
final class NamespaceNetwork implements NodeNetwork {
  private static final Logger LOG = LogManager.getLogger(NamespaceNetwork.class);
  static final String PREFIX = "gfsf";
  private static final String BRIDGE = PREFIX + "br";
  private static final String SUBNET = "10.213.77.";
  private static final String HOST_ADDRESS = SUBNET + "254";

  private final List<Integer> nodes = new ArrayList<>();
  private final List<int[]> cuts = new ArrayList<>();

  private NamespaceNetwork() {
  }

  /** True when this process may create namespaces (root with iproute2). */
  static boolean available() {
    return "root".equals(System.getProperty("user.name"))
        && Shell.run("ip", "netns", "list").exit() == 0;
  }

  /** Removes namespaces and the bridge a crashed run left behind, then creates the bridge. */
  static NamespaceNetwork create(List<Integer> nodeIds) {
    removeLeftovers();
    NamespaceNetwork n = new NamespaceNetwork();
    Shell.check("ip", "link", "add", BRIDGE, "type", "bridge");
    Shell.check("ip", "addr", "add", HOST_ADDRESS + "/24", "dev", BRIDGE);
    Shell.check("ip", "link", "set", BRIDGE, "up");
    for (int node : nodeIds) {
      n.addNode(node);
    }
    return n;
  }

  private void addNode(int node) {
    if (node < 1 || node > 250) {
      throw new IllegalArgumentException("node number out of range: " + node);
    }
    String ns = namespace(node);
    String outside = PREFIX + "h" + node;
    String inside = PREFIX + "p" + node;
    Shell.check("ip", "netns", "add", ns);
    nodes.add(node);
    Shell.check("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
    Shell.check("ip", "link", "set", inside, "netns", ns);
    Shell.check("ip", "link", "set", outside, "master", BRIDGE, "up");
    Shell.check("ip", "netns", "exec", ns, "ip", "addr", "add", host(node) + "/24", "dev", inside);
    Shell.check("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up");
    Shell.check("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
  }

  static void removeLeftovers() {
    Shell.Result list = Shell.run("ip", "netns", "list");
    for (String line : list.output().split("\n")) {
      String name = line.trim().split(" ")[0];
      if (name.startsWith(PREFIX + "-")) {
        LOG.info("fault removing leftover namespace name={}", name);
        Shell.run("ip", "netns", "del", name);
      }
    }
    Shell.Result links = Shell.run("ip", "-o", "link", "show");
    for (String line : links.output().split("\n")) {
      String[] parts = line.split(":");
      if (parts.length > 1) {
        String name = parts[1].trim().split("@")[0];
        if (name.startsWith(PREFIX)) {
          Shell.run("ip", "link", "del", name);
        }
      }
    }
  }

  static String namespace(int node) {
    return PREFIX + "-n" + node;
  }

  @Override
  public String host(int node) {
    return SUBNET + node;
  }

  @Override
  public List<String> commandPrefix(int node) {
    return List.of("ip", "netns", "exec", namespace(node));
  }

  @Override
  public boolean canCut() {
    return true;
  }

  @Override
  public synchronized void cut(int a, int b) {
    route("add", a, b);
    route("add", b, a);
    cuts.add(new int[] {a, b});
    LOG.info("fault link cut a={} b={}", host(a), host(b));
  }

  private void route(String verb, int in, int to) {
    Shell.check("ip", "netns", "exec", namespace(in), "ip", "route", verb, "blackhole",
        host(to) + "/32");
  }

  @Override
  public synchronized void healAll() {
    for (int[] c : cuts) {
      route("del", c[0], c[1]);
      route("del", c[1], c[0]);
    }
    cuts.clear();
    LOG.info("fault links healed");
  }

  @Override
  public synchronized void close() {
    for (int node : nodes) {
      Shell.run("ip", "netns", "del", namespace(node));
    }
    Shell.run("ip", "link", "del", BRIDGE);
    nodes.clear();
  }
}
