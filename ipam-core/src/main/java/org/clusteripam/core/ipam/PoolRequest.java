package org.clusteripam.core.ipam;

import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.net.IpPrefix;

/**
 * A RequestPool call.
 *
 * @param host the requesting host
 * @param addressSpace one of {@link AddressSpaces}; anything else is refused
 * @param pool an explicit subnet, or empty for a dynamic pool carved from the supernet
 * @param subPool the {@code --ip-range} restriction for dynamic addresses, inside {@code pool}
 * @param options driver options ({@code --ipam-opt}), kept with a new pool; only {@link
 *     PoolOptions} mean something here; never null
 * @param v6 Docker's V6 flag: only consulted for a dynamic pool; an explicit pool's family comes
 *     from its CIDR (swarm sends false for IPv6 pools)
 */
public record PoolRequest(
    HostId host,
    String addressSpace,
    Optional<IpPrefix> pool,
    Optional<IpPrefix> subPool,
    Map<String, String> options,
    boolean v6) {
  public PoolRequest {
    options = Map.copyOf(options);
  }
}
