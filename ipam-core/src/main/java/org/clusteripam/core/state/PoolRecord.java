package org.clusteripam.core.state;

import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Key {@code pools/<cidr>}: one network pool, fixed when it is created. Written again only when its
 * gateway is first allocated or freed, and around the deletion of a pool whose last holder left;
 * never by a join, a leave, a block claim or an address allocation (those have their own keys).
 *
 * @param gateway the pool's gateway while it is allocated, returned to Docker in RequestPool data
 * @param deleting set by the leave of the last holder seen, before the deletion checks that no
 *     holder is left; a join that sees it clears it (see docs/state-layout.md, deleting a pool)
 */
public record PoolRecord(
    IpPrefix prefix,
    Optional<IpPrefix> ipRange,
    Optional<String> name,
    boolean dynamic,
    Map<String, String> options,
    int blockLength,
    Optional<IpAddress> gateway,
    boolean deleting) {

  public PoolRecord {
    options = Map.copyOf(options);
  }

  public PoolRecord withGateway(Optional<IpAddress> g) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, g, deleting);
  }

  public PoolRecord withDeleting(boolean d) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, gateway, d);
  }
}
