package org.clusteripam.core.state;

import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.ipam.AddressKind;

/**
 * One allocated address inside a block.
 *
 * @param holders who references it (host ids, {@code @global}); it is freed when the last one
 *     releases it. A swarm task address is held by {@code @global} and by the node running it.
 * @param sinceMillis when it was first allocated
 */
public record Allocation(AddressKind kind, SortedSet<String> holders, long sinceMillis) {
  public Allocation {
    holders = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(holders));
  }

  public Allocation withHolders(SortedSet<String> h) {
    return new Allocation(kind, h, sinceMillis);
  }
}
