package org.clusteripam.core.perhost;

import java.util.List;
import java.util.Objects;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * One load-balanced frontend of a service on one host: swarm's VIP of the service (the address
 * Docker's DNS gives for the service name) or the host's own VIP of it, sending the service's
 * {@code ports} (all ports when empty) to the actual addresses of its tasks on every host.
 *
 * @param hostVip whether {@code frontend} is this host's own VIP ({@link
 *     org.clusteripam.core.ipam.ServiceVips}) rather than swarm's
 * @param backends sorted, distinct; tasks whose node has not mapped their placeholder yet are
 *     absent
 */
public record VipRoute(
    IpPrefix pool,
    String serviceId,
    String serviceName,
    IpAddress frontend,
    boolean hostVip,
    List<ServicePort> ports,
    List<IpAddress> backends) {
  public VipRoute {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(frontend, "frontend");
    ports = ports.stream().distinct().sorted().toList();
    backends = backends.stream().distinct().sorted().toList();
  }
}
