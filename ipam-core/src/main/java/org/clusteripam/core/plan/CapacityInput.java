package org.clusteripam.core.plan;

import org.clusteripam.core.net.IpPrefix;

/**
 * The parameters of an address plan (supernet, network prefix, host prefix, services).
 *
 * @param supernet the address space all networks are carved from
 * @param networkPrefix length of each network pool, e.g. 20 for /20 networks
 * @param hostPrefix length of each host's block inside a network, e.g. 25
 * @param servicesPerNetwork VIP-mode services attached to each network; each needs one VIP on every
 *     host (the per-host load balancers of the design)
 */
public record CapacityInput(
    IpPrefix supernet, int networkPrefix, int hostPrefix, int servicesPerNetwork) {
  public CapacityInput {
    int bits = supernet.family().bits();
    if (networkPrefix < supernet.length() || networkPrefix > bits) {
      throw new IllegalArgumentException(
          "network prefix /"
              + networkPrefix
              + " must be between the supernet's /"
              + supernet.length()
              + " and /"
              + bits);
    }
    if (hostPrefix < networkPrefix || hostPrefix > bits) {
      throw new IllegalArgumentException(
          "host prefix /"
              + hostPrefix
              + " must be between the network prefix /"
              + networkPrefix
              + " and /"
              + bits);
    }
    if (servicesPerNetwork < 0) {
      throw new IllegalArgumentException(
          "services must not be negative, got " + servicesPerNetwork);
    }
  }
}
