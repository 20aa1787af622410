package org.clusteripam.core.perhost;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpPrefix;

/**
 * The routes one host should have to the other hosts' blocks of the per-host pools, and the blocks
 * it cannot route yet (with why). Sorted by block, so two plans of the same state are equal.
 */
public record RoutePlan(HostId host, List<BlockRoute> routes, List<Unrouted> unrouted) {
  public RoutePlan {
    Objects.requireNonNull(host, "host");
    routes = routes.stream().sorted(Comparator.comparing(BlockRoute::block)).toList();
    unrouted = unrouted.stream().sorted(Comparator.comparing(Unrouted::block)).toList();
  }

  /**
   * A block of another host that gets no route, e.g. while its owner has not advertised an address.
   */
  public record Unrouted(IpPrefix pool, IpPrefix block, HostId owner, String reason) {}
}
