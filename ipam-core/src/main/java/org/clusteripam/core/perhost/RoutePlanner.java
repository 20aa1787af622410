package org.clusteripam.core.perhost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Plans the routes that make per-host blocks reachable without an overlay (host-gw style): host H
 * routes every block of every per-host pool that another host owns via the address that host
 * advertises. Pure: the same inputs give an equal {@link RoutePlan}.
 *
 * <p>Blocks owned by a holder that is no host (the swarm allocator) get no route. Not routed, and
 * listed as such: blocks whose owner advertises no address or one of the other family, and blocks
 * whose owner's address lies inside a per-host pool (packets to it would be routed into the pool
 * itself). H's own blocks are on its bridge and need no route.
 */
public final class RoutePlanner {
  private RoutePlanner() {}

  /** One per-host pool's owned blocks, each with its owner. */
  public record PoolBlocks(IpPrefix pool, SortedMap<IpPrefix, Holder> owners) {
    public PoolBlocks {
      Objects.requireNonNull(pool, "pool");
      owners = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(owners));
    }
  }

  public static RoutePlan plan(
      HostId host, List<PoolBlocks> pools, Map<HostId, IpAddress> advertised) {
    List<BlockRoute> routes = new ArrayList<>();
    List<RoutePlan.Unrouted> unrouted = new ArrayList<>();
    for (PoolBlocks p : pools) {
      for (Map.Entry<IpPrefix, Holder> b : p.owners().entrySet()) {
        if (!(b.getValue() instanceof Holder.Host owner) || owner.id().equals(host)) {
          continue;
        }
        HostId ownerId = owner.id();
        IpAddress via = advertised.get(ownerId);
        String problem =
            via == null
                ? "owner advertises no address"
                : via.family() != b.getKey().family()
                    ? "owner advertises an " + via.family() + " address"
                    : insideAPool(via, pools)
                        ? "owner's address " + via + " is inside a per-host pool"
                        : null;
        if (problem == null) {
          routes.add(new BlockRoute(p.pool(), b.getKey(), ownerId, via));
        } else {
          unrouted.add(new RoutePlan.Unrouted(p.pool(), b.getKey(), ownerId, problem));
        }
      }
    }
    return new RoutePlan(host, routes, unrouted);
  }

  private static boolean insideAPool(IpAddress a, List<PoolBlocks> pools) {
    return pools.stream().anyMatch(p -> p.pool().family() == a.family() && p.pool().contains(a));
  }
}
