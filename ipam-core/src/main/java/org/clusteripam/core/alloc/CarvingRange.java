package org.clusteripam.core.alloc;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.net.IpPrefix;

/**
 * One carving range of a supernet as stored: the host that carves its dynamic pools from it ({@code
 * ""}: nobody yet — any host may claim it) and every pool that overlaps it, carved or requested
 * explicitly. A pool creation inside the range compares and writes this one value, so creations in
 * different ranges never contend.
 */
public record CarvingRange(IpPrefix range, String holder, SortedSet<IpPrefix> pools) {

  public CarvingRange {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(holder, "holder");
    pools = Collections.unmodifiableSortedSet(new TreeSet<>(pools));
  }

  /** A range nobody has claimed and no pool overlaps. */
  public static CarvingRange unclaimed(IpPrefix range) {
    return new CarvingRange(range, "", new TreeSet<>());
  }

  public boolean isClaimed() {
    return !holder.isEmpty();
  }

  /** The pool among {@link #pools} that overlaps {@code p}, if any. */
  public java.util.Optional<IpPrefix> overlapping(IpPrefix p) {
    return pools.stream().filter(q -> q.overlaps(p)).findFirst();
  }

  public CarvingRange with(IpPrefix pool) {
    TreeSet<IpPrefix> next = new TreeSet<>(pools);
    next.add(pool);
    return new CarvingRange(range, holder, next);
  }

  public CarvingRange without(IpPrefix pool) {
    TreeSet<IpPrefix> next = new TreeSet<>(pools);
    next.remove(pool);
    return new CarvingRange(range, holder, next);
  }

  public CarvingRange claimedBy(String h) {
    return new CarvingRange(range, h, pools);
  }
}
