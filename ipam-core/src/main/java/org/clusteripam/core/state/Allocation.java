package org.clusteripam.core.state;

import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.net.IpAddress;

/**
 * One allocated address inside a block.
 *
 * @param holders who references it (host ids, {@code @global}); it is freed when the last one
 *     releases it. A swarm task address is held by {@code @global} and by the node running it.
 * @param sinceMillis when it was first allocated
 * @param placeholder in a per-host pool, the placeholder this host address stands for (the key of
 *     its mapping, so releasing the address finds and drops the mapping)
 */
public record Allocation(AddressKind kind, SortedSet<String> holders, long sinceMillis, Optional<IpAddress> placeholder) {
  public Allocation {
    holders = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(holders));
    Objects.requireNonNull(placeholder, "placeholder");
  }

  public Allocation(AddressKind kind, SortedSet<String> holders, long sinceMillis) {
    this(kind, holders, sinceMillis, Optional.empty());
  }

  public Allocation withHolders(SortedSet<String> h) {
    return new Allocation(kind, h, sinceMillis, placeholder);
  }

  public Allocation withPlaceholder(IpAddress p) {
    return new Allocation(kind, holders, sinceMillis, Optional.of(p));
  }
}
