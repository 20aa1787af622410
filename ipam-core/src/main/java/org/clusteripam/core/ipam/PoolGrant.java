package org.clusteripam.core.ipam;

import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * The answer to RequestPool: the id the caller will send back, the subnet, and the pool's gateway
 * when it already has one (a joining host holds it and is told it, as Docker's pool data does).
 */
public record PoolGrant(PoolId id, IpPrefix pool, Optional<IpAddress> gateway) {
  public PoolGrant {
    java.util.Objects.requireNonNull(gateway, "gateway");
  }
}
