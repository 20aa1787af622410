package org.clusteripam.daemon.swarm;

import java.util.List;
import java.util.Map;

/**
 * One swarm task as the manager records it: where it runs, its container, and the addresses swarm
 * allocated for it per network name (CIDR form, e.g. {@code 10.0.1.2/24}).
 */
public record TaskRecord(
    String id,
    String serviceName,
    int slot,
    String host,
    String containerId,
    String state,
    String desiredState,
    Map<String, List<String>> addressesByNetwork) {

  public boolean running() {
    return state.equals("running") && desiredState.equals("running");
  }
}
