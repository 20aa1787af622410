package org.clusteripam.core.state;

import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Key {@code blocks/<pool>/<block>}: the unit of the hot path. It carries what an allocation needs
 * (pool prefix, ip-range) so that a host allocating in a block it owns reads and writes only this
 * key.
 *
 * @param owner the host (or {@code @global}) with affinity to the block; {@code ""} when none
 * @param serialCursor offset after the last address handed out serially
 * @param cooling released addresses still in their reuse cooldown, with the release time
 */
public record BlockRecord(
    IpPrefix pool,
    IpPrefix block,
    Optional<IpPrefix> ipRange,
    String owner,
    SortedMap<IpAddress, Allocation> allocations,
    long serialCursor,
    SortedMap<IpAddress, Long> cooling) {

  public BlockRecord {
    allocations = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(allocations));
    cooling = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(cooling));
  }

  public static BlockRecord empty(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange, String owner) {
    return new BlockRecord(pool, block, ipRange, owner, new TreeMap<>(), 0, new TreeMap<>());
  }

  public boolean isEmpty() {
    return allocations.isEmpty();
  }

  public BlockRecord withOwner(String o) {
    return new BlockRecord(pool, block, ipRange, o, allocations, serialCursor, cooling);
  }
}
