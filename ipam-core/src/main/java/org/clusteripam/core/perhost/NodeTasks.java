package org.clusteripam.core.perhost;

import java.util.List;
import java.util.Objects;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpPrefix;

/**
 * What one node publishes for one per-host pool: the actual addresses of the swarm tasks running on
 * it, read from its own Docker. Stored under a key only that node writes ({@code
 * tasks/<pool>/<host>}) and replaced whole on every pass, so a node's publication is always one
 * consistent read of its Docker and no two nodes ever write the same key. Sorted and distinct:
 * equal reads encode to equal bytes (an unchanged publication is not rewritten).
 */
public record NodeTasks(IpPrefix pool, HostId host, List<TaskAddress> tasks) {
  public NodeTasks {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(host, "host");
    tasks = tasks.stream().distinct().sorted().toList();
    for (TaskAddress t : tasks) {
      if (!pool.contains(t.address())) {
        throw new IllegalArgumentException(
            "task " + t.taskId() + " address " + t.address() + " is not inside pool " + pool);
      }
    }
  }
}
