package org.clusteripam.core.perhost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Plans one host's load balancer from what the store holds for its per-host pools. Pure: the same
 * inputs give an equal {@link LbDesiredState}.
 *
 * <p>The services are those of the catalog and those any node publishes tasks of ({@link
 * NodeTasks}: on a network of a local driver swarm records neither a VIP nor task addresses, so the
 * nodes' publications are all there is). For every service: swarm's VIP (if it has one) and this
 * host's own VIP of the service (if it holds one) each become a {@link VipRoute} to the actual
 * addresses of the service's tasks on every host: the mapped addresses of its catalog tasks'
 * placeholders (a task whose node has not mapped it yet has none yet) and every address a node
 * publishes for it. A service only publications name has no ports (all ports) and the name its
 * tasks' labels give. Every mapping becomes a {@link PlaceholderRoute} with the ports of its task's
 * service (all ports for placeholders no service lists, such as a node's LB endpoint). A frontend
 * address is used once: a later claimant (which the engine never produces) is left out rather than
 * routed twice.
 */
public final class LbPlanner {
  private LbPlanner() {}

  /**
   * What the store holds for one per-host pool.
   *
   * @param hostVips this host's own VIPs in the pool, by service id
   * @param published every node's publication of its running tasks in the pool
   */
  public record PoolState(
      IpPrefix pool,
      List<CatalogService> catalog,
      List<PlaceholderMapping> mappings,
      Map<String, IpAddress> hostVips,
      List<NodeTasks> published) {
    public PoolState {
      Objects.requireNonNull(pool, "pool");
      catalog = List.copyOf(catalog);
      mappings = List.copyOf(mappings);
      hostVips = Map.copyOf(hostVips);
      published = List.copyOf(published);
    }

    /** Without node publications (swarm's records only). */
    public PoolState(
        IpPrefix pool,
        List<CatalogService> catalog,
        List<PlaceholderMapping> mappings,
        Map<String, IpAddress> hostVips) {
      this(pool, catalog, mappings, hostVips, List.of());
    }
  }

  public static LbDesiredState plan(HostId host, List<PoolState> pools) {
    List<VipRoute> vips = new ArrayList<>();
    List<PlaceholderRoute> placeholders = new ArrayList<>();
    Set<IpAddress> frontends = new HashSet<>();
    for (PoolState p : pools) {
      Map<IpAddress, PlaceholderMapping> byPlaceholder = new HashMap<>();
      p.mappings().forEach(m -> byPlaceholder.put(m.placeholder(), m));
      Map<String, List<IpAddress>> publishedBackends = new HashMap<>();
      Map<String, String> publishedName = new HashMap<>();
      for (NodeTasks n : p.published()) {
        for (TaskAddress t : n.tasks()) {
          publishedBackends.computeIfAbsent(t.serviceId(), k -> new ArrayList<>()).add(t.address());
          publishedName.merge(
              t.serviceId(), t.serviceName(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
        }
      }
      TreeMap<String, CatalogService> services = new TreeMap<>();
      p.catalog().forEach(s -> services.putIfAbsent(s.serviceId(), s));
      publishedName.forEach(
          (id, name) ->
              services.putIfAbsent(
                  id, new CatalogService(id, name, Optional.empty(), List.of(), List.of())));
      Map<IpAddress, CatalogService> serviceOfTask = new HashMap<>();
      for (CatalogService s : services.values()) {
        List<IpAddress> backends =
            new ArrayList<>(publishedBackends.getOrDefault(s.serviceId(), List.of()));
        for (CatalogTask t : s.tasks()) {
          serviceOfTask.putIfAbsent(t.placeholder(), s);
          PlaceholderMapping m = byPlaceholder.get(t.placeholder());
          if (m != null) {
            backends.add(m.actual());
          }
        }
        if (s.vip().isPresent() && frontends.add(s.vip().get())) {
          vips.add(
              new VipRoute(
                  p.pool(), s.serviceId(), s.name(), s.vip().get(), false, s.ports(), backends));
        }
        IpAddress own = p.hostVips().get(s.serviceId());
        if (own != null && frontends.add(own)) {
          vips.add(new VipRoute(p.pool(), s.serviceId(), s.name(), own, true, s.ports(), backends));
        }
      }
      for (PlaceholderMapping m :
          p.mappings().stream()
              .sorted(Comparator.comparing(PlaceholderMapping::placeholder))
              .toList()) {
        if (!frontends.add(m.placeholder())) {
          continue;
        }
        CatalogService s = serviceOfTask.get(m.placeholder());
        placeholders.add(
            new PlaceholderRoute(
                p.pool(),
                m.placeholder(),
                m.host(),
                m.actual(),
                s == null ? "" : s.serviceId(),
                s == null ? List.of() : s.ports()));
      }
    }
    return new LbDesiredState(host, vips, placeholders);
  }
}
