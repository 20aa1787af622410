package org.clusteripam.core.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * Key {@code pools/index}: every pool of the cluster, read and compare-and-swapped by pool creation
 * and deletion (rare), never by address allocation.
 */
public record PoolIndex(List<Entry> pools) {
  public static final PoolIndex EMPTY = new PoolIndex(List.of());

  /**
   * One pool: its prefix, its shared name ({@code --ipam-opt network=NAME}), whether it was carved,
   * and whether it uses per-host addressing (so hosts find per-host pools by reading this one key).
   */
  public record Entry(IpPrefix prefix, Optional<String> name, boolean dynamic, boolean perHost) {
    public Entry(IpPrefix prefix, Optional<String> name, boolean dynamic) {
      this(prefix, name, dynamic, false);
    }
  }

  public PoolIndex {
    List<Entry> sorted = new ArrayList<>(pools);
    sorted.sort(Comparator.comparing(Entry::prefix));
    pools = List.copyOf(sorted);
  }

  public Optional<Entry> find(IpPrefix prefix) {
    return pools.stream().filter(e -> e.prefix.equals(prefix)).findFirst();
  }

  public Optional<Entry> findByName(String name, IpFamily family) {
    return pools.stream().filter(e -> e.name.filter(name::equals).isPresent() && e.prefix.family() == family).findFirst();
  }

  /** The first pool that overlaps {@code prefix}, if any (the index is small enough to scan). */
  public Optional<Entry> overlapping(IpPrefix prefix) {
    return pools.stream().filter(e -> e.prefix.overlaps(prefix)).findFirst();
  }

  public PoolIndex with(Entry e) {
    List<Entry> l = new ArrayList<>(pools);
    l.add(e);
    return new PoolIndex(l);
  }

  public PoolIndex without(IpPrefix prefix) {
    List<Entry> l = new ArrayList<>(pools);
    l.removeIf(e -> e.prefix.equals(prefix));
    return new PoolIndex(l);
  }
}
