package io.gfs.master.placement;

import java.util.List;

/** Replicas chosen for a new chunk; the first is the initial primary. */
public record Placement(List<String> serverIds, String warning) {

  public Placement {
    serverIds = List.copyOf(serverIds);
    if (serverIds.isEmpty()) {
      throw new IllegalArgumentException("a placement needs at least one server");
    }
  }

  public String primary() {
    return serverIds.get(0);
  }
}
