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
 * @param mark which marking this is (0 when not marked, or marked by a version without tokens): a
 *     mark cleared by a join and set again by another leave has a new token, so a deletion step
 *     whose listing predates the join sees the mark changed, though the record reads the same
 */
public record PoolRecord(
    IpPrefix prefix,
    Optional<IpPrefix> ipRange,
    Optional<String> name,
    boolean dynamic,
    Map<String, String> options,
    int blockLength,
    Optional<IpAddress> gateway,
    boolean deleting,
    long mark) {

  public PoolRecord {
    options = Map.copyOf(options);
    if (!deleting) {
      mark = 0;
    }
  }

  /** A pool not marked for deletion. */
  public PoolRecord(
      IpPrefix prefix,
      Optional<IpPrefix> ipRange,
      Optional<String> name,
      boolean dynamic,
      Map<String, String> options,
      int blockLength,
      Optional<IpAddress> gateway) {
    this(prefix, ipRange, name, dynamic, options, blockLength, gateway, false, 0);
  }

  public PoolRecord withGateway(Optional<IpAddress> g) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, g, deleting, mark);
  }

  /** Marked for deletion with {@code token}, which differs from every earlier mark's. */
  public PoolRecord marked(long token) {
    return new PoolRecord(
        prefix, ipRange, name, dynamic, options, blockLength, gateway, true, token);
  }

  /** The mark cleared: a holder is there. */
  public PoolRecord unmarked() {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, gateway, false, 0);
  }
}
