package org.clusteripam.core.engine;

import java.util.Optional;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpFormatException;
import org.clusteripam.core.net.IpPrefix;

/**
 * What a {@link PoolId} names: {@code <address space>/<pool cidr>}, e.g. {@code
 * ClusterIpamLocal/10.80.3.0/24}. The space tells who holds what the calls allocate.
 */
record PoolRef(String space, boolean global, IpPrefix prefix) {

  PoolId id() {
    return new PoolId(space + "/" + prefix);
  }

  static Optional<PoolRef> parse(PoolId id, AddressSpaces spaces) {
    String v = id.value();
    int slash = v.indexOf('/');
    if (slash <= 0) {
      return Optional.empty();
    }
    String space = v.substring(0, slash);
    boolean global;
    if (space.equals(spaces.local())) {
      global = false;
    } else if (space.equals(spaces.global())) {
      global = true;
    } else {
      return Optional.empty();
    }
    try {
      return Optional.of(new PoolRef(space, global, IpPrefix.parse(v.substring(slash + 1))));
    } catch (IpFormatException e) {
      return Optional.empty();
    }
  }
}
