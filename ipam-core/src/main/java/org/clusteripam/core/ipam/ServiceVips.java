package org.clusteripam.core.ipam;

import java.util.List;

/**
 * Per-service VIPs per host: every VIP-mode service attached to a network gets one VIP on every
 * host, for that host's own load balancer (100 services take 100 addresses of each host block).
 * Docker's IPAM protocol has no such request; the daemon's load balancer asks for them.
 *
 * <p>One VIP per (service, host, pool). A VIP comes from the host's own blocks of the pool (never
 * borrowed from another host's block: routed overlays send a host's block to that host), never
 * collides with any other address, and is freed by {@link #releaseServiceVip}, by the host's
 * ReleasePool, or when the pool is deleted.
 */
public interface ServiceVips {

  /**
   * The VIP of {@code serviceId} on {@code host} in {@code pool}: the one it already has (a
   * replay), or a new one from the host's blocks, claiming a free block when they are full.
   *
   * @throws InvalidRequestException a malformed service id
   * @throws UnknownPoolException the pool does not exist
   * @throws ExhaustedException the host's blocks are full and no free block is left to claim
   */
  ServiceVip requestServiceVip(HostId host, PoolId pool, String serviceId);

  /**
   * Frees the VIP of {@code serviceId} on {@code host} in {@code pool}; a no-op when there is none.
   */
  void releaseServiceVip(HostId host, PoolId pool, String serviceId);

  /** The VIPs {@code host} holds in {@code pool}, by service id; empty for an unknown pool. */
  List<ServiceVip> serviceVips(HostId host, PoolId pool);
}
