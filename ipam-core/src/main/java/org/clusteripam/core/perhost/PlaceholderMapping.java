package org.clusteripam.core.perhost;

import java.util.Objects;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * A placeholder (the address swarm's manager assigned to a task) and the address the node running
 * the task actually gave its container, from that node's own blocks.
 */
public record PlaceholderMapping(
    IpPrefix pool, IpAddress placeholder, HostId host, IpAddress actual, long sinceMillis) {
  public PlaceholderMapping {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(placeholder, "placeholder");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(actual, "actual");
  }
}
