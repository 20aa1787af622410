package org.clusteripam.core.ipam;

/** Why an address is requested. */
public enum AddressKind {
  /** {@code RequestAddressType: com.docker.network.gateway}. */
  GATEWAY,
  /** Everything else: containers, {@code --ip}, aux addresses, swarm VIPs, LB and task addresses. */
  ENDPOINT
}
