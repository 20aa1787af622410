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
 * @param replayFrom per holder, when it last re-requested the pool while already holding it (a
 *     dockerd restart or swarm leader change replaying its state): for a while after that, its
 *     repeated requests for addresses it already holds are replays, not a second endpoint
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
    Optional<IpAddress> gateway,
    SortedMap<String, Long> replayFrom) {

  public PoolRecord {
    options = Map.copyOf(options);
    holders = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(holders));
    blocks = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(blocks));
    replayFrom = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(replayFrom));
  }

  /** A record with no replay window open (records written before replay windows existed). */
  public PoolRecord(
      IpPrefix prefix,
      Optional<IpPrefix> ipRange,
      Optional<String> name,
      boolean dynamic,
      Map<String, String> options,
      int blockLength,
      SortedSet<String> holders,
      SortedMap<IpPrefix, String> blocks,
      Optional<IpAddress> gateway) {
    this(prefix, ipRange, name, dynamic, options, blockLength, holders, blocks, gateway, new TreeMap<>());
  }

  public PoolRecord withHolders(SortedSet<String> h) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, h, blocks, gateway, replayFrom);
  }

  public PoolRecord withBlocks(SortedMap<IpPrefix, String> b) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, holders, b, gateway, replayFrom);
  }

  public PoolRecord withGateway(Optional<IpAddress> g) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, holders, blocks, g, replayFrom);
  }

  public PoolRecord withReplayFrom(SortedMap<String, Long> r) {
    return new PoolRecord(prefix, ipRange, name, dynamic, options, blockLength, holders, blocks, gateway, r);
  }
}
