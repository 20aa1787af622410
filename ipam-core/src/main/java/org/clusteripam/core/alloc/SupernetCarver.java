package org.clusteripam.core.alloc;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * A buddy allocator of aligned prefixes inside a supernet: free lists per prefix length, lowest
 * address first, splitting on allocation and coalescing buddies on release. Every operation costs
 * O(prefix bits × log n), so tens of thousands of pools carve without quadratic scans.
 *
 * <p>Invariant: the free blocks and the taken prefixes partition the supernet exactly.
 */
public final class SupernetCarver {
  private final IpPrefix supernet;

  /** free.get(len) = network addresses of free blocks of that length. */
  private final java.util.List<TreeSet<IpAddress>> free;

  /**
   * Taken prefixes by network address (they never overlap, so a floor lookup finds a container).
   */
  private final TreeMap<IpAddress, IpPrefix> taken = new TreeMap<>();

  private long takenCount;

  public SupernetCarver(IpPrefix supernet) {
    this.supernet = supernet;
    this.free = new java.util.ArrayList<>(supernet.family().bits() + 1);
    for (int i = 0; i <= supernet.family().bits(); i++) {
      free.add(new TreeSet<>());
    }
    free.get(supernet.length()).add(supernet.network());
  }

  public IpPrefix supernet() {
    return supernet;
  }

  /** The taken prefixes, in address order. */
  public Iterable<IpPrefix> taken() {
    return taken.values();
  }

  public long takenCount() {
    return takenCount;
  }

  /**
   * Takes the lowest free aligned prefix of {@code length}, or empty when none is left.
   *
   * @throws IllegalArgumentException if {@code length} is shorter than the supernet or too long
   */
  public Optional<IpPrefix> allocate(int length) {
    Optional<IpPrefix> p = lowestFree(length);
    p.ifPresent(this::reserve);
    return p;
  }

  /**
   * What {@link #allocate} would take, without taking it: the lowest free aligned prefix of {@code
   * length}.
   */
  public Optional<IpPrefix> lowestFree(int length) {
    if (length < supernet.length() || length > supernet.family().bits()) {
      throw new IllegalArgumentException("cannot carve a /" + length + " from " + supernet);
    }
    IpAddress best = null;
    for (int l = supernet.length(); l <= length; l++) {
      if (!free.get(l).isEmpty()) {
        IpAddress a = free.get(l).first();
        if (best == null || a.compareTo(best) < 0) {
          best = a;
        }
      }
    }
    return best == null ? Optional.empty() : Optional.of(IpPrefix.of(best, length));
  }

  /**
   * Takes exactly {@code prefix} (a static pool).
   *
   * @throws PrefixConflictException naming both prefixes when it overlaps a taken one
   * @throws IllegalArgumentException when it is not inside the supernet
   */
  public void reserve(IpPrefix prefix) {
    if (!supernet.contains(prefix)) {
      throw new IllegalArgumentException(prefix + " is not inside the supernet " + supernet);
    }
    Optional<IpPrefix> clash = overlapping(prefix);
    if (clash.isPresent()) {
      throw new PrefixConflictException(prefix, clash.get());
    }
    for (int l = prefix.length(); l >= supernet.length(); l--) {
      IpAddress candidate = prefix.network().maskTo(l);
      if (free.get(l).remove(candidate)) {
        IpPrefix block = IpPrefix.of(candidate, l);
        while (block.length() < prefix.length()) {
          IpPrefix lower = block.lowerHalf();
          IpPrefix upper = block.upperHalf();
          if (lower.contains(prefix)) {
            free.get(upper.length()).add(upper.network());
            block = lower;
          } else {
            free.get(lower.length()).add(lower.network());
            block = upper;
          }
        }
        take(block);
        return;
      }
    }
    // invariant broken
    throw new IllegalStateException("free lists of " + supernet + " lost " + prefix);
  }

  /** The taken prefix overlapping {@code prefix}, if any. */
  public Optional<IpPrefix> overlapping(IpPrefix prefix) {
    Map.Entry<IpAddress, IpPrefix> below = taken.floorEntry(prefix.network());
    if (below != null && below.getValue().overlaps(prefix)) {
      return Optional.of(below.getValue());
    }
    Map.Entry<IpAddress, IpPrefix> above = taken.ceilingEntry(prefix.network());
    if (above != null && prefix.contains(above.getValue().network())) {
      return Optional.of(above.getValue());
    }
    return Optional.empty();
  }

  public boolean isTaken(IpPrefix prefix) {
    return prefix.equals(taken.get(prefix.network()));
  }

  /**
   * Gives {@code prefix} back, merging it with free buddies. Releasing a prefix that is not taken
   * returns false and changes nothing.
   */
  public boolean release(IpPrefix prefix) {
    if (!isTaken(prefix)) {
      return false;
    }
    taken.remove(prefix.network());
    takenCount--;
    IpPrefix block = prefix;
    while (block.length() > supernet.length()) {
      IpPrefix buddy = block.buddy();
      if (!free.get(buddy.length()).remove(buddy.network())) {
        break;
      }
      block = block.parent();
    }
    free.get(block.length()).add(block.network());
    return true;
  }

  /** Number of free blocks held in the free lists (for tests of coalescing). */
  public int freeBlockCount() {
    int n = 0;
    for (TreeSet<IpAddress> s : free) {
      n += s.size();
    }
    return n;
  }

  private void take(IpPrefix block) {
    taken.put(block.network(), block);
    takenCount++;
  }
}
