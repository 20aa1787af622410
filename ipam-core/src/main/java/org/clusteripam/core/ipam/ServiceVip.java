package org.clusteripam.core.ipam;

import org.clusteripam.core.net.IpAddress;

/**
 * The VIP one swarm service has on one host: the address of that host's own load balancer for the
 * service, taken from the host's own blocks of the network's pool.
 *
 * @param pool the pool id the VIP was requested with
 */
public record ServiceVip(HostId host, PoolId pool, String serviceId, IpAddress address) {}
