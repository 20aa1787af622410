package org.clusteripam.core.perhost;

import java.util.Objects;
import org.clusteripam.core.net.IpAddress;

/**
 * A task of a service as swarm recorded it: its id and its address on the network (a placeholder).
 */
public record CatalogTask(String taskId, IpAddress placeholder) {
  public CatalogTask {
    CatalogService.checkId("task id", taskId);
    Objects.requireNonNull(placeholder, "placeholder");
  }
}
