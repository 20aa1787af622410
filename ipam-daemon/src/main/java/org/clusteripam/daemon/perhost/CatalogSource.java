package org.clusteripam.daemon.perhost;

import java.util.Set;
import org.clusteripam.core.net.IpPrefix;

/** Where the service catalog comes from: swarm's Docker API in the daemon, a fake in tests. */
@FunctionalInterface
public interface CatalogSource {
  /**
   * Reads the catalog; never throws for Docker trouble (that is {@link CatalogRead.Unavailable}).
   *
   * @param knownPerHost the pools the store knows as per-host
   */
  CatalogRead read(Set<IpPrefix> knownPerHost);
}
