package org.clusteripam.core.reconcile;

import java.util.List;

/** Docker's view on this host: the networks that use this driver. */
public record DockerState(List<DockerNetwork> networks) {
  public DockerState {
    networks = List.copyOf(networks);
  }
}
