package io.gfs.master.server;

import java.util.ArrayList;
import java.util.List;

/** One master of the Raft group: its id, its Raft address and its client API address. */
public record PeerSpec(String id, String host, int raftPort, int apiPort) {

  public PeerSpec {
    if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(
          "peer id must be 1-64 letters, digits, '-' or '_', got '" + id + "'");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("peer " + id + " has an empty host");
    }
    checkPort(id, "raft", raftPort);
    checkPort(id, "api", apiPort);
  }

  private static void checkPort(String id, String what, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "peer " + id + " " + what + " port must be 1-65535, got " + port);
    }
  }

  public String raftAddress() {
    return host + ":" + raftPort;
  }

  public String apiAddress() {
    return host + ":" + apiPort;
  }

  /** Parses {@code id=host:raftPort:apiPort[,id=host:raftPort:apiPort...]}. */
  public static List<PeerSpec> parseList(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("peers are missing (id=host:raftPort:apiPort,...)");
    }
    List<PeerSpec> peers = new ArrayList<>();
    for (String item : text.split(",")) {
      peers.add(parse(item.trim()));
    }
    return List.copyOf(peers);
  }

  static PeerSpec parse(String item) {
    int eq = item.indexOf('=');
    String[] parts = eq < 0 ? new String[0] : item.substring(eq + 1).split(":");
    if (eq <= 0 || parts.length != 3) {
      throw new IllegalArgumentException(
          "bad peer '" + item + "': expected id=host:raftPort:apiPort");
    }
    return new PeerSpec(item.substring(0, eq), parts[0], parsePort(item, parts[1]),
        parsePort(item, parts[2]));
  }

  private static int parsePort(String item, String port) {
    try {
      return Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port '" + port + "' in peer '" + item + "'");
    }
  }

  @Override
  public String toString() {
    return id + "=" + host + ":" + raftPort + ":" + apiPort;
  }
}
