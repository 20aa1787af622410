package org.clusteripam.core.ipam;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.NodeTasks;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.perhost.RoutePlan;
import org.clusteripam.core.perhost.TaskAddress;

/**
 * The per-host addressing facet: the service catalog, placeholder mappings, each host's service
 * VIPs, its load balancer's desired state and the routes to other hosts' blocks, for the daemon's
 * per-host loop. Pools that do not exist or are not per-host ({@code addressing=per-host}) have
 * none of these.
 */
public interface HostAddressing extends ServiceVips {

  /**
   * Publishes the service catalog a manager read from Docker: for every per-host pool in {@code
   * byPool}, the stored catalog becomes exactly the given services (written only where it changed).
   * Pools that do not exist or are not per-host are skipped. Returns the keys written or deleted.
   *
   * @throws IllegalArgumentException a service listed twice for one pool
   */
  int publishCatalog(Map<IpPrefix, List<CatalogService>> byPool);

  /**
   * Publishes the actual addresses of {@code host}'s running tasks, read from its own Docker: for
   * every per-host pool the host holds, its publication becomes exactly the tasks given for that
   * pool (none when the pool is absent from {@code byPool}). Each pool's publication is one key of
   * the host alone, rewritten only when it changed. Returns the keys written or deleted.
   *
   * @throws IllegalArgumentException an address outside its pool
   */
  int publishTasks(HostId host, Map<IpPrefix, List<TaskAddress>> byPool);

  /** Every node's publication of its running tasks in {@code pool}, by host. */
  List<NodeTasks> publishedTasks(IpPrefix pool);

  /** The published catalog of a per-host pool, by service id; empty for other pools. */
  List<CatalogService> catalog(IpPrefix pool);

  /** Every placeholder mapping of {@code pool}, by placeholder. */
  List<PlaceholderMapping> placeholderMappings(IpPrefix pool);

  /** The pools created with {@code addressing=per-host}. */
  List<IpPrefix> perHostPools();

  /** The placeholder range of {@code pool}, or empty when it does not exist or is not per-host. */
  Optional<IpPrefix> placeholderRange(IpPrefix pool);

  /**
   * Makes {@code host}'s own service VIPs match the catalog and the nodes' task publications: one
   * VIP per such service in every per-host pool the host holds, and none for services no longer
   * listed. Returns the VIPs it holds in per-host pools afterwards.
   */
  List<ServiceVip> syncServiceVips(HostId host);

  /** {@code host}'s load balancer as it should be, from the catalog, the mappings and its VIPs. */
  LbDesiredState lbDesiredState(HostId host);

  /**
   * Publishes the address other hosts route {@code host}'s per-host blocks to (a key of that host
   * alone); returns whether the stored one changed.
   */
  boolean advertise(HostId host, IpAddress address);

  /** Withdraws {@code host}'s advertised address: other hosts drop their routes to its blocks. */
  void unadvertise(HostId host);

  /** Every host's advertised address (stored values that do not parse are left out). */
  SortedMap<HostId, IpAddress> advertisedAddresses();

  /** The routes {@code host} should have to the other hosts' blocks of the per-host pools. */
  RoutePlan routePlan(HostId host);

  /**
   * Calls {@code onChange} (on the store's watch thread) whenever something a {@link #routePlan}
   * reads changes: the pools, who owns which block, the advertised addresses. Close to stop.
   */
  AutoCloseable watchRoutePlanInputs(Runnable onChange);
}
