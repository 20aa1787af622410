package org.clusteripam.core.reconcile;

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
 * @param ipRanges the {@code --ip-range} of each subnet that has one
 * @param swarm whether the network is swarm-scoped (its pool is the swarm allocator's)
 */
public record DockerNetwork(
    String id,
    String name,
    List<IpPrefix> subnets,
    Set<IpAddress> gateways,
    Set<IpAddress> aux,
    Set<IpAddress> endpoints,
    java.util.Map<IpPrefix, IpPrefix> ipRanges,
    boolean swarm) {
  public DockerNetwork {
    ipRanges = java.util.Map.copyOf(ipRanges);
    subnets = List.copyOf(subnets);
    gateways = Set.copyOf(gateways);
    aux = Set.copyOf(aux);
    endpoints = Set.copyOf(endpoints);
  }

  /** A local network without ip-ranges (tests and simple cases). */
  public DockerNetwork(
      String id,
      String name,
      List<IpPrefix> subnets,
      Set<IpAddress> gateways,
      Set<IpAddress> aux,
      Set<IpAddress> endpoints) {
    this(id, name, subnets, gateways, aux, endpoints, java.util.Map.of(), false);
  }

  /** Every address Docker holds in this network. */
  public Set<IpAddress> live() {
    Set<IpAddress> all = new java.util.HashSet<>(gateways);
    all.addAll(aux);
    all.addAll(endpoints);
    return all;
  }
}
