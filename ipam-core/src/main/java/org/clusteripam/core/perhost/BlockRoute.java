package org.clusteripam.core.perhost;

import java.util.Objects;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * A route one host keeps: another host's block of a per-host pool, via the address that host
 * advertises.
 */
public record BlockRoute(IpPrefix pool, IpPrefix block, HostId owner, IpAddress via) {
  public BlockRoute {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(via, "via");
  }
}
