package org.clusteripam.core.perhost;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Plans one host's load balancer from what the store holds for its per-host pools. Pure: the same
 * inputs give an equal {@link LbDesiredState}.
 *
 * <p>For every catalog service: swarm's VIP (if it has one) and this host's own VIP of the service
 * (if it holds one) each become a {@link VipRoute} to the actual addresses of the service's tasks,
 * on whichever host they run; a task whose node has not mapped its placeholder yet has no backend
 * yet. Every mapping becomes a {@link PlaceholderRoute} with the ports of its task's service (all
 * ports for placeholders no service lists, such as a node's LB endpoint). A frontend address is
 * used once: a later claimant (which the engine never produces) is left out rather than routed twice.
 */
public final class LbPlanner {
  private LbPlanner() {}

  /**
   * What the store holds for one per-host pool.
   *
   * @param hostVips this host's own VIPs in the pool, by service id
   */
  public record PoolState(IpPrefix pool, List<CatalogService> catalog, List<PlaceholderMapping> mappings, Map<String, IpAddress> hostVips) {
    public PoolState {
      Objects.requireNonNull(pool, "pool");
      catalog = List.copyOf(catalog);
      mappings = List.copyOf(mappings);
      hostVips = Map.copyOf(hostVips);
    }
  }

  public static LbDesiredState plan(HostId host, List<PoolState> pools) {
    List<VipRoute> vips = new ArrayList<>();
    List<PlaceholderRoute> placeholders = new ArrayList<>();
    Set<IpAddress> frontends = new HashSet<>();
    for (PoolState p : pools) {
      Map<IpAddress, PlaceholderMapping> byPlaceholder = new HashMap<>();
      p.mappings().forEach(m -> byPlaceholder.put(m.placeholder(), m));
      Map<IpAddress, CatalogService> serviceOfTask = new HashMap<>();
      List<CatalogService> services = p.catalog().stream().sorted(java.util.Comparator.comparing(CatalogService::serviceId)).toList();
      for (CatalogService s : services) {
        List<IpAddress> backends = new ArrayList<>();
        for (CatalogTask t : s.tasks()) {
          serviceOfTask.putIfAbsent(t.placeholder(), s);
          PlaceholderMapping m = byPlaceholder.get(t.placeholder());
          if (m != null) {
            backends.add(m.actual());
          }
        }
        if (s.vip().isPresent() && frontends.add(s.vip().get())) {
          vips.add(new VipRoute(p.pool(), s.serviceId(), s.name(), s.vip().get(), false, s.ports(), backends));
        }
        IpAddress own = p.hostVips().get(s.serviceId());
        if (own != null && frontends.add(own)) {
          vips.add(new VipRoute(p.pool(), s.serviceId(), s.name(), own, true, s.ports(), backends));
        }
      }
      for (PlaceholderMapping m : p.mappings().stream().sorted(java.util.Comparator.comparing(PlaceholderMapping::placeholder)).toList()) {
        if (!frontends.add(m.placeholder())) {
          continue;
        }
        CatalogService s = serviceOfTask.get(m.placeholder());
        placeholders.add(new PlaceholderRoute(p.pool(), m.placeholder(), m.host(), m.actual(),
            s == null ? "" : s.serviceId(), s == null ? List.of() : s.ports()));
      }
    }
    return new LbDesiredState(host, vips, placeholders);
  }
}
