package org.clusteripam.core.engine;

import java.util.Optional;
import org.clusteripam.core.net.IpPrefix;

/**
 * How swarm-scope (global address space) allocations relate to the nodes' local copies; chosen per
 * pool with {@code --ipam-opt addressing=cluster|per-host} (default: cluster).
 *
 * <p>{@link Cluster}: the swarm manager's allocations are cluster-wide, held by {@link
 * #GLOBAL_HOLDER}; a node re-requesting the manager's address gets exactly that address and holds a
 * reference to it.
 *
 * <p>{@link PerHost} (the seed design): the manager's dynamic allocations — task addresses, VIPs,
 * node LB addresses — are placeholders from a reserved range of the pool; a node asking for a
 * placeholder gets an address of its own blocks instead, and the mapping is stored. Hosts never
 * claim blocks inside the placeholder range and the manager never allocates outside it.
 */
public sealed interface AddressingMode permits AddressingMode.Cluster, AddressingMode.PerHost {
  /** The holder name of swarm-wide allocations (not a valid host id, so it never collides). */
  String GLOBAL_HOLDER = "@global";

  AddressingMode CLUSTER = new Cluster();

  /** Who holds what a request in the given space allocates (the same in both modes). */
  static String holder(String hostId, boolean globalSpace) {
    return globalSpace ? GLOBAL_HOLDER : hostId;
  }

  /**
   * Whether {@code requester} may add its reference to an address already held by {@code holder}
   * (instead of being refused as a conflict).
   */
  static boolean mayShare(String requester, String holder) {
    return GLOBAL_HOLDER.equals(holder);
  }

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
