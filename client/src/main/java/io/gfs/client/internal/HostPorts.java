package io.gfs.client.internal;

import java.util.ArrayList;
import java.util.List;

/** Parses "host:port" addresses and comma-separated lists of them, with plain error messages. */
public final class HostPorts {
  private HostPorts() {
  }

  /** A parsed address. */
  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  public static HostPort parse(String address) {
    String a = address == null ? "" : address.trim();
    int colon = a.lastIndexOf(':');
    if (colon <= 0 || colon == a.length() - 1) {
      throw new IllegalArgumentException("bad address '" + address + "': expected host:port");
    }
    String host = a.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(a.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad address '" + address + "': port is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad address '" + address + "': port out of range 1-65535");
    }
    return new HostPort(host, port);
  }

  /** Parses "h1:p1,h2:p2"; blanks are ignored; at least one address is required. */
  public static List<String> parseList(String list) {
    List<String> out = new ArrayList<>();
    for (String part : (list == null ? "" : list).split(",")) {
      if (!part.isBlank()) {
        out.add(parse(part).toString());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no master address given");
    }
    return out;
  }
}
