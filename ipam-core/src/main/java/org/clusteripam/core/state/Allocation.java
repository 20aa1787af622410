package org.clusteripam.core.state;

import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;

/**
 * One allocated address inside a block.
 *
 * @param holders who references it (hosts, the swarm allocator, VIPs, CNI attachments), in the
 *     order of their stored strings; it is freed when the last one releases it. A swarm task
 *     address is held by {@code @global} and by the node running it.
 * @param sinceMillis when it was first allocated
 * @param placeholder in a per-host pool, the placeholder this host address stands for (the key of
 *     its mapping, so releasing the address finds and drops the mapping)
 */
public record Allocation(
    AddressKind kind,
    SortedSet<Holder> holders,
    long sinceMillis,
    Optional<IpAddress> placeholder) {
  public Allocation {
    holders =
        holders.size() == 1
            ? single(holders.first())
            : java.util.Collections.unmodifiableSortedSet(new TreeSet<>(holders));
    Objects.requireNonNull(placeholder, "placeholder");
  }

  /**
   * Most addresses have one holder: one shared set per holder, so equal sets are usually the same
   * object.
   */
  private static final java.util.concurrent.ConcurrentHashMap<Holder, SortedSet<Holder>> SINGLES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The unmodifiable set of just {@code holder}. */
  public static SortedSet<Holder> single(Holder holder) {
    SortedSet<Holder> s = SINGLES.get(holder);
    if (s == null) {
      if (SINGLES.size() >= 4096) {
        SINGLES.clear(); // a cache: names come and go (VIPs, CNI containers)
      }
      s = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(java.util.Set.of(holder)));
      SINGLES.put(holder, s);
    }
    return s;
  }

  public Allocation(AddressKind kind, SortedSet<Holder> holders, long sinceMillis) {
    this(kind, holders, sinceMillis, Optional.empty());
  }

  public Allocation withHolders(SortedSet<Holder> h) {
    return new Allocation(kind, h, sinceMillis, placeholder);
  }

  public Allocation withPlaceholder(IpAddress p) {
    return new Allocation(kind, holders, sinceMillis, Optional.of(p));
  }
}
