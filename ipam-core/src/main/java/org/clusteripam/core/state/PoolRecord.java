package org.clusteripam.core.state;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Key {@code pools/<cidr>}: one network pool. Written when the pool is requested or released by a
 * holder, when a block is claimed or given back, and when its gateway changes; never by an
 * ordinary address allocation.
 *
 * @param holders who holds the pool: host ids, or {@code @global} for the swarm-wide allocator
 * @param blocks every block that exists in the store, with its owner ({@code ""}: no owner)
 * @param gateway the pool's gateway while it is allocated, returned to Docker in RequestPool data
 */
public record PoolRecord(
    IpPrefix prefix,
    Optional<IpPrefix> ipRange,
    Optional<String> name,
    boolean dynamic,
    Map<String, String> options,
    int blockLength,
    SortedSet<String> holders,
    SortedMap<IpPrefix, String> blocks,
    Optional<IpAddress> gateway) {

  public PoolRecord {
    options = Map.copyOf(options);
    holders = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(holders));
    blocks = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(blocks));
  }

  public PoolRecord withHolders(SortedSet<String> h) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, h, blocks, gateway);
  }

  public PoolRecord withBlocks(SortedMap<IpPrefix, String> b) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, holders, b, gateway);
  }

  public PoolRecord withGateway(Optional<IpAddress> g) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, holders, blocks, g);
  }
}
