package org.clusteripam.core.engine;

/**
 * How swarm-scope (global address space) allocations relate to the nodes' local copies.
 *
 * <p>{@link Cluster}: the swarm manager's allocations are cluster-wide, held by {@link
 * #GLOBAL_HOLDER}; a node re-requesting the manager's address gets exactly that address and holds a
 * reference to it. A later per-host mode (manager addresses mapped into each node's own blocks)
 * becomes another permitted record here.
 */
public sealed interface AddressingMode permits AddressingMode.Cluster {
  /** The holder name of swarm-wide allocations (not a valid host id, so it never collides). */
  String GLOBAL_HOLDER = "@global";

  AddressingMode CLUSTER = new Cluster();

  /** Who holds what a request in the given space allocates. */
  String holder(String hostId, boolean globalSpace);

  /**
   * Whether {@code requester} may add its reference to an address already held by {@code holder}
   * (instead of being refused as a conflict).
   */
  boolean mayShare(String requester, String holder);

  /** Cluster mode: the default. */
  record Cluster() implements AddressingMode {
    @Override
    public String holder(String hostId, boolean globalSpace) {
      return globalSpace ? GLOBAL_HOLDER : hostId;
    }

    @Override
    public boolean mayShare(String requester, String holder) {
      return GLOBAL_HOLDER.equals(holder);
    }
  }
}
