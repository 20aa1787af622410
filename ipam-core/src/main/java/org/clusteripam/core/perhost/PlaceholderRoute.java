package org.clusteripam.core.perhost;

import java.util.List;
import java.util.Objects;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * A task's placeholder forwarded to its actual address (Docker's DNS answers {@code tasks.NAME} and
 * container names with placeholders), for its service's {@code ports} (all ports when empty).
 *
 * @param host the node running the task
 * @param serviceId the service the task belongs to, or empty when the catalog does not list it
 */
public record PlaceholderRoute(
    IpPrefix pool,
    IpAddress placeholder,
    HostId host,
    IpAddress actual,
    String serviceId,
    List<ServicePort> ports) {
  public PlaceholderRoute {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(placeholder, "placeholder");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(actual, "actual");
    Objects.requireNonNull(serviceId, "serviceId");
    ports = ports.stream().distinct().sorted().toList();
  }
}
