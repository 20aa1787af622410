package org.clusteripam.core.ipam;

import java.util.Map;
import org.clusteripam.core.net.IpPrefix;

/** The answer to RequestPool: the id Docker will send back, the subnet, and extra data. */
public record PoolGrant(PoolId id, IpPrefix pool, Map<String, String> data) {
  public PoolGrant {
    data = Map.copyOf(data);
  }
}
