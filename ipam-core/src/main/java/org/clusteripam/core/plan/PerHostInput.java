package org.clusteripam.core.plan;

/**
 * The parameters of a per-host pool's plan: the network plan's lengths and services, plus the
 * placeholder range's prefix length and the number of nodes attached to the network.
 *
 * @param placeholderPrefix length of the placeholder range ({@code --ipam-opt placeholders=CIDR}),
 *     between the network's and the host blocks' (the range is made of whole blocks)
 * @param nodes swarm nodes attached to the network: each gets one load-balancer address from the
 *     manager (a placeholder) and one from its own block
 */
public record PerHostInput(CapacityInput network, int placeholderPrefix, int nodes) {
  public PerHostInput {
    if (placeholderPrefix <= network.networkPrefix() || placeholderPrefix > network.hostPrefix()) {
      throw new IllegalArgumentException(
          "placeholder prefix /"
              + placeholderPrefix
              + " must be longer than the network prefix /"
              + network.networkPrefix()
              + " and at most the host prefix /"
              + network.hostPrefix()
              + " (whole host blocks, not the whole pool)");
    }
    if (nodes < 0) {
      throw new IllegalArgumentException("nodes must not be negative, got " + nodes);
    }
  }
}
