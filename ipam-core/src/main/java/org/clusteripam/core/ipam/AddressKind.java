package org.clusteripam.core.ipam;

/** Why an address is requested. */
public enum AddressKind {
  /** A network's gateway: shared by every holder of the pool that asks for it. */
  GATEWAY,
  /**
   * Everything else: containers, {@code --ip}, aux addresses, swarm VIPs, LB and task addresses.
   */
  ENDPOINT
}
