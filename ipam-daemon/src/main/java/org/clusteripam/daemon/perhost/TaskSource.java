package org.clusteripam.daemon.perhost;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.TaskAddress;

/**
 * Where this node's running tasks and their actual addresses come from: its own Docker in the
 * daemon, a fake in tests.
 */
@FunctionalInterface
public interface TaskSource {
  /**
   * The tasks of this node on the per-host pools, and the containers or addresses that were left
   * out (why).
   */
  record LocalTasks(Map<IpPrefix, List<TaskAddress>> byPool, List<String> skipped) {
    public LocalTasks {
      byPool = Map.copyOf(byPool);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * Reads them; throws when Docker cannot answer (an unreadable Docker is not an empty one: nothing
   * is published then).
   *
   * @param perHostPools the pools the store knows as per-host: addresses outside them are not ours
   */
  LocalTasks read(Set<IpPrefix> perHostPools);
}
