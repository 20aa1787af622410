package org.clusteripam.daemon.reconcile;

import java.util.List;
import java.util.Set;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * A Docker network that uses this driver, as Docker reports it.
 *
 * @param gateways the gateway of each subnet (Docker holds them while the network exists)
 * @param aux {@code --aux-address} reservations
 * @param endpoints endpoint (container) addresses
 */
public record DockerNetwork(String id, String name, List<IpPrefix> subnets, Set<IpAddress> gateways, Set<IpAddress> aux, Set<IpAddress> endpoints) {
  public DockerNetwork {
    subnets = List.copyOf(subnets);
    gateways = Set.copyOf(gateways);
    aux = Set.copyOf(aux);
    endpoints = Set.copyOf(endpoints);
  }

  /** Every address Docker holds in this network. */
  public Set<IpAddress> live() {
    Set<IpAddress> all = new java.util.HashSet<>(gateways);
    all.addAll(aux);
    all.addAll(endpoints);
    return all;
  }
}
