package org.clusteripam.core.perhost;

import java.util.Comparator;
import java.util.Objects;
import org.clusteripam.core.net.IpAddress;

/**
 * A running task's container as its own node's Docker reports it: the swarm service and task it
 * belongs to (its {@code com.docker.swarm.*} labels) and the address the container really has on a
 * per-host network. On networks of a local driver swarm records no address for a task at all, so
 * this is the only place the address is known.
 */
public record TaskAddress(String serviceId, String serviceName, String taskId, IpAddress address)
    implements Comparable<TaskAddress> {
  private static final Comparator<TaskAddress> ORDER =
      Comparator.comparing(TaskAddress::taskId)
          .thenComparing(TaskAddress::address)
          .thenComparing(TaskAddress::serviceId)
          .thenComparing(TaskAddress::serviceName);

  public TaskAddress {
    CatalogService.checkId("service id", serviceId);
    CatalogService.checkId("task id", taskId);
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(address, "address");
  }

  @Override
  public int compareTo(TaskAddress o) {
    return ORDER.compare(this, o);
  }
}
