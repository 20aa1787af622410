package org.clusteripam.core.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;

/**
 * The carving ranges of one family's supernet and the choices made in them, without I/O: which
 * ranges a pool overlaps, the lowest free pool of a range, and the order in which a host tries
 * ranges (its own first, then a claim in its own permutation of the ranges, then any range with
 * room), so that hosts carving at once rarely touch the same range.
 */
public final class CarvingRanges {
  /** The most ranges an explicitly requested pool may overlap (one compare and write each). */
  public static final int MAX_OVERLAPPED = 64;

  /** How many candidates of each kind a carving offers its transaction. */
  private static final int CANDIDATES = 4;

  private final IpPrefix supernet;
  private final int rangeLength;
  private final int networkLength;
  private final int indexBits;

  private CarvingRanges(IpPrefix supernet, int rangeLength, int networkLength) {
    this.supernet = supernet;
    this.rangeLength = rangeLength;
    this.networkLength = networkLength;
    this.indexBits = Math.min(62, rangeLength - supernet.length());
  }

  /** The ranges of {@code c}'s supernet, or empty when the family has none. */
  public static Optional<CarvingRanges> of(FamilyCarving c) {
    return c.supernet().map(s -> new CarvingRanges(s, c.rangeLength(), c.networkLength()));
  }

  public IpPrefix supernet() {
    return supernet;
  }

  public int rangeLength() {
    return rangeLength;
  }

  public int networkLength() {
    return networkLength;
  }

  /** Number of ranges (at most 2^62 are ever used). */
  public long count() {
    return 1L << indexBits;
  }

  /** The {@code index}-th range, lowest address first. */
  public IpPrefix range(long index) {
    return supernet.subPrefix(rangeLength, index);
  }

  /** How many ranges {@code p} overlaps: 0 outside the supernet. */
  public long overlappedCount(IpPrefix p) {
    if (!p.overlaps(supernet)) {
      return 0;
    }
    IpPrefix inside = supernet.contains(p) ? p : supernet;
    int bits = rangeLength - inside.length();
    return bits <= 0 ? 1 : bits >= 62 ? Long.MAX_VALUE : 1L << bits;
  }

  /** The ranges {@code p} overlaps, lowest first (call only when {@link #overlappedCount} fits). */
  public List<IpPrefix> overlapped(IpPrefix p) {
    long n = overlappedCount(p);
    List<IpPrefix> out = new ArrayList<>();
    if (n == 0) {
      return out;
    }
    if (p.length() >= rangeLength) {
      out.add(IpPrefix.containing(p.network(), rangeLength));
      return out;
    }
    IpPrefix inside = supernet.contains(p) ? p : supernet;
    for (long i = 0; i < n; i++) {
      out.add(inside.subPrefix(rangeLength, i));
    }
    return out;
  }

  /** The range a carved pool (or any prefix at least as long as a range) lies in. */
  public IpPrefix rangeOf(IpPrefix p) {
    return IpPrefix.containing(p.network(), rangeLength);
  }

  /** The lowest pool of the dynamic length in {@code r}'s range that overlaps none of its pools. */
  public Optional<IpPrefix> freeSlot(CarvingRange r) {
    long slots = 1L << (networkLength - rangeLength);
    for (long i = 0; i < slots; i++) {
      IpPrefix slot = r.range().subPrefix(networkLength, i);
      if (r.overlapping(slot).isEmpty()) {
        return Optional.of(slot);
      }
    }
    return Optional.empty();
  }

  /** A range to try, and whether carving from it borrows from another host's range. */
  public record Candidate(IpPrefix range, boolean borrow) {}

  /**
   * The ranges {@code holder} should try, best first, given what it believes is stored ({@code
   * known}: range → record, possibly stale; the transaction re-reads each candidate it tries): its
   * own ranges with room, then ranges to claim (absent, or unclaimed with room) in its own
   * permutation of the ranges, then — only when nothing is left to claim — others' ranges with
   * room, starting at a place that depends on the holder. Empty: the supernet is full.
   */
  public List<Candidate> candidates(Holder holder, SortedMap<IpPrefix, CarvingRange> known) {
    String me = holder.format();
    List<Candidate> out = new ArrayList<>();
    for (CarvingRange r : known.values()) {
      if (r.holder().equals(me) && freeSlot(r).isPresent()) {
        out.add(new Candidate(r.range(), false));
        if (out.size() >= CANDIDATES) {
          return out;
        }
      }
    }
    // The lowest range comes first for everyone, so one host alone carves from the bottom of the
    // supernet up (a fresh store's first pools are its lowest); once it is claimed, each host goes
    // on in its own permutation. Among any known.size() + k distinct ranges k are absent: the
    // scan is bounded by the ranges in use, not by the size of the supernet.
    BlockOrder order = BlockOrder.forHolder(holder, indexBits);
    long scan = Math.min(count(), known.size() + (long) CANDIDATES);
    int claims = 0;
    for (long i = -1; i < scan && claims < CANDIDATES; i++) {
      long index = i < 0 ? 0 : order.indexAt(i);
      if (i >= 0 && index == 0) {
        continue;
      }
      IpPrefix range = range(index);
      CarvingRange r = known.get(range);
      if (r == null || (!r.isClaimed() && freeSlot(r).isPresent())) {
        out.add(new Candidate(range, false));
        claims++;
      }
    }
    if (claims > 0) {
      return out;
    }
    List<CarvingRange> roomy =
        known.values().stream()
            .filter(r -> r.isClaimed() && !r.holder().equals(me) && freeSlot(r).isPresent())
            .toList();
    int n = roomy.size();
    int start = n == 0 ? 0 : Math.floorMod(me.hashCode() * 0x9E3779B1, n);
    for (int i = 0; i < Math.min(n, CANDIDATES); i++) {
      out.add(new Candidate(roomy.get((start + i) % n).range(), true));
    }
    return out;
  }

  /** Pools in use according to {@code known}: for the message of a full supernet. */
  public static long poolsIn(Map<IpPrefix, CarvingRange> known) {
    return known.values().stream().mapToLong(r -> r.pools().size()).sum();
  }
}
