package org.clusteripam.core.engine;

import java.util.Optional;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;

/**
 * How swarm-scope (global address space) allocations relate to the nodes' local copies; chosen per
 * pool with {@code --ipam-opt addressing=cluster|per-host} (default: cluster).
 *
 * <p>{@link Cluster}: the swarm manager's allocations are cluster-wide, held by {@link
 * Holder#GLOBAL}; a node re-requesting the manager's address gets exactly that address and holds a
 * reference to it.
 *
 * <p>{@link PerHost} (the seed design): the manager's dynamic allocations — task addresses, VIPs,
 * node LB addresses — are placeholders from a reserved range of the pool; a node asking for a
 * placeholder gets an address of its own blocks instead, and the mapping is stored. Hosts never
 * claim blocks inside the placeholder range and the manager never allocates outside it.
 */
public sealed interface AddressingMode permits AddressingMode.Cluster, AddressingMode.PerHost {
  AddressingMode CLUSTER = new Cluster();

  /** The placeholder range of a per-host pool; empty in cluster mode. */
  default Optional<IpPrefix> placeholders() {
    return Optional.empty();
  }

  /** Cluster mode: the default. */
  record Cluster() implements AddressingMode {}

  /** Per-host mode with its placeholder range. */
  record PerHost(IpPrefix range) implements AddressingMode {
    @Override
    public Optional<IpPrefix> placeholders() {
      return Optional.of(range);
    }
  }
}
