package org.clusteripam.daemon.perhost;

import java.util.List;
import java.util.Map;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;

/**
 * The outcome of reading swarm's service catalog on this node. Only {@link Catalog} is published.
 */
public sealed interface CatalogRead {
  /** A short name of the outcome, for "log once per change". */
  String state();

  /** This node is a manager and Docker answered: the catalog of every per-host network. */
  record Catalog(Map<IpPrefix, List<CatalogService>> byPool, List<String> skipped)
      implements CatalogRead {
    public Catalog {
      byPool = Map.copyOf(byPool);
      skipped = List.copyOf(skipped);
    }

    @Override
    public String state() {
      return "manager";
    }
  }

  /** This node cannot read swarm's services (a worker, or not in a swarm): others publish. */
  record NotManager(String nodeState) implements CatalogRead {
    @Override
    public String state() {
      return "not_manager";
    }
  }

  /** Docker could not be read: publish nothing (an unreadable catalog is not an empty one). */
  record Unavailable(String reason) implements CatalogRead {
    @Override
    public String state() {
      return "docker_unavailable";
    }
  }
}
