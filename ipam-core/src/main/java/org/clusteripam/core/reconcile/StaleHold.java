package org.clusteripam.core.reconcile;

import java.time.Duration;
import org.clusteripam.core.net.IpAddress;

/**
 * Whether a host's own hold on an address it asks for again (a {@link
 * org.clusteripam.core.ipam.ConflictException.SelfHeld}) is stale and may be released at once
 * instead of waiting for reconciliation: the typical case is {@code docker start} of a container
 * with {@code --ip X} whose release of X was lost while the daemon was down.
 *
 * <p>Stale only when Docker, read after the conflict, has no live use of the address in any of its
 * networks whose subnets contain it (endpoint, gateway or aux address), and the hold is older than
 * {@code grace}: an endpoint Docker is still creating (its address requested, the endpoint not yet
 * listed) is never younger than a few seconds, so a second container racing for a fresh address is
 * still refused.
 */
public final class StaleHold {
  private StaleHold() {}

  public static boolean isStale(
      DockerState docker, IpAddress address, long sinceMillis, long nowMillis, Duration grace) {
    if (nowMillis - sinceMillis < grace.toMillis()) {
      return false;
    }
    for (DockerNetwork n : docker.networks()) {
      if (n.subnets().stream().anyMatch(s -> s.contains(address)) && n.live().contains(address)) {
        return false;
      }
    }
    return true;
  }
}
