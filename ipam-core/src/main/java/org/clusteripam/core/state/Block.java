package org.clusteripam.core.state;

import java.util.Arrays;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.clusteripam.core.alloc.AddressPolicy;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * Key {@code blocks/<pool>/<block>}: the unit of allocation and of contention, with its operations.
 * It carries what an allocation needs (pool prefix, ip-range) so that a host allocating in a block
 * it owns reads and writes only this key.
 *
 * <p>Immutable: an operation returns a new block (or this one when nothing changes), so one decoded
 * value can be shared by the decode cache, transactions and their re-runs. Allocations and cooling
 * entries are kept by offset in sorted arrays, so a pick is a binary search and a change one array
 * copy: nothing is rebuilt per call. The rules are those of {@link
 * org.clusteripam.core.alloc.BlockAllocator}, the reference model the properties compare it with:
 * lowest-free or serial picks inside block ∩ ip-range, reserved addresses never handed out, reuse
 * cooldown for dynamic picks only. Encoded by {@link BlockCodec}.
 */
public final class Block {
  private static final long[] NO_LONGS = {};
  private static final Allocation[] NO_ALLOCS = {};

  private final Shape s;
  private final String owner;
  private final long serialCursor;
  /** Allocated offsets, ascending unsigned; {@code als[i]} describes {@code offs[i]}. */
  private final long[] offs;
  private final Allocation[] als;
  /** Cooling offsets, ascending unsigned, with their release times. */
  private final long[] coolOffs;
  private final long[] coolAt;
  private volatile SortedMap<IpAddress, Allocation> allocationsView;
  private volatile SortedMap<IpAddress, Long> coolingView;

  /** The outcome of a pick: the new block and the address it handed out. */
  public record Picked(Block block, IpAddress address) {}

  private Block(Shape s, String owner, long serialCursor, long[] offs, Allocation[] als, long[] coolOffs, long[] coolAt) {
    this.s = s;
    this.owner = Objects.requireNonNull(owner, "owner");
    this.serialCursor = serialCursor;
    this.offs = offs;
    this.als = als;
    this.coolOffs = coolOffs;
    this.coolAt = coolAt;
  }

  public static Block empty(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange, String owner) {
    return new Block(Shape.of(pool, block, ipRange), owner, 0, NO_LONGS, NO_ALLOCS, NO_LONGS, NO_LONGS);
  }

  /**
   * A block from its parts.
   *
   * @throws IllegalArgumentException when the block is not inside the pool, is larger than a /64,
   *     or an address is outside the block
   */
  public static Block of(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange, String owner,
      SortedMap<IpAddress, Allocation> allocations, long serialCursor, SortedMap<IpAddress, Long> cooling) {
    Shape s = Shape.of(pool, block, ipRange);
    long[] o = new long[allocations.size()];
    Allocation[] a = new Allocation[o.length];
    int i = 0;
    for (var e : new TreeMap<>(allocations).entrySet()) {
      o[i] = s.offsetOf(e.getKey(), "allocation");
      a[i++] = Objects.requireNonNull(e.getValue(), "allocation");
    }
    long[] co = new long[cooling.size()];
    long[] ct = new long[co.length];
    i = 0;
    for (var e : new TreeMap<>(cooling).entrySet()) {
      co[i] = s.offsetOf(e.getKey(), "cooling address");
      ct[i++] = e.getValue();
    }
    checkAscending(s, o, "allocation");
    checkAscending(s, co, "cooling address");
    return new Block(s, owner, serialCursor, o, a, co, ct);
  }

  /** For {@link BlockCodec}: arrays it built, ascending and inside the block (checked here). */
  static Block decoded(Shape s, String owner, long serialCursor, long[] offs, Allocation[] als, long[] coolOffs, long[] coolAt) {
    checkAscending(s, offs, "allocation");
    checkAscending(s, coolOffs, "cooling address");
    return new Block(s, owner, serialCursor, offs, als, coolOffs, coolAt);
  }

  private static void checkAscending(Shape s, long[] a, String what) {
    for (int i = 0; i < a.length; i++) {
      if (Long.compareUnsigned(a[i], s.lastOffset) > 0) {
        throw new IllegalArgumentException(what + " at offset " + Long.toUnsignedString(a[i]) + " is not inside block " + s.block);
      }
      if (i > 0 && Long.compareUnsigned(a[i - 1], a[i]) >= 0) {
        throw new IllegalArgumentException(what + " offsets are not ascending in block " + s.block);
      }
    }
  }

  // ---- reading

  public IpPrefix pool() {
    return s.pool;
  }

  public IpPrefix block() {
    return s.block;
  }

  public Optional<IpPrefix> ipRange() {
    return s.ipRange;
  }

  /** The holder with affinity to the block; {@code ""} when none. */
  public String owner() {
    return owner;
  }

  /** The offset after the last address handed out dynamically. */
  public long serialCursor() {
    return serialCursor;
  }

  public boolean isEmpty() {
    return offs.length == 0;
  }

  /** Number of allocated addresses. */
  public int size() {
    return offs.length;
  }

  /** The allocation of {@code a}, if it is allocated in this block. */
  public Optional<Allocation> allocation(IpAddress a) {
    int i = indexOf(a);
    return i < 0 ? Optional.empty() : Optional.of(als[i]);
  }

  public boolean isAllocated(IpAddress a) {
    return indexOf(a) >= 0;
  }

  /** Whether some allocation has a holder that {@code which} accepts. */
  public boolean anyHolder(Predicate<String> which) {
    for (Allocation a : als) {
      for (String h : a.holders()) {
        if (which.test(h)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Calls {@code f} with every allocation, by ascending address (no map built). */
  public void forEachAllocation(java.util.function.BiConsumer<IpAddress, Allocation> f) {
    for (int i = 0; i < offs.length; i++) {
      f.accept(s.addressAt(offs[i]), als[i]);
    }
  }

  /** Every allocation by address (built once per block on first use: for readers, not the hot path). */
  public SortedMap<IpAddress, Allocation> allocations() {
    SortedMap<IpAddress, Allocation> m = allocationsView;
    if (m == null) {
      TreeMap<IpAddress, Allocation> t = new TreeMap<>();
      for (int i = 0; i < offs.length; i++) {
        t.put(s.addressAt(offs[i]), als[i]);
      }
      allocationsView = m = Collections.unmodifiableSortedMap(t);
    }
    return m;
  }

  /** Released addresses in their reuse cooldown, with the release time, as stored (expired ones go on the next change). */
  public SortedMap<IpAddress, Long> cooling() {
    SortedMap<IpAddress, Long> m = coolingView;
    if (m == null) {
      TreeMap<IpAddress, Long> t = new TreeMap<>();
      for (int i = 0; i < coolOffs.length; i++) {
        t.put(s.addressAt(coolOffs[i]), coolAt[i]);
      }
      coolingView = m = Collections.unmodifiableSortedMap(t);
    }
    return m;
  }

  // ---- for the codec

  Shape shape() {
    return s;
  }

  long offsetAt(int i) {
    return offs[i];
  }

  Allocation allocationAt(int i) {
    return als[i];
  }

  int coolingCount() {
    return coolOffs.length;
  }

  long coolingOffsetAt(int i) {
    return coolOffs[i];
  }

  long coolingTimeAt(int i) {
    return coolAt[i];
  }

  // ---- operations

  public Block withOwner(String o) {
    return o.equals(owner) ? this : new Block(s, o, serialCursor, offs, als, coolOffs, coolAt);
  }

  /**
   * A dynamic pick for {@code holder}: the address {@code policy} chooses among the free ones of the
   * dynamic range (not used, not reserved, not cooling down), or empty when it chooses none.
   *
   * @throws IllegalStateException when the policy picks an address it may not (nothing changes)
   */
  public Optional<Picked> pick(String holder, AddressKind kind, AddressPolicy policy, long now, long cooldownMillis) {
    if (s.dynEmpty) {
      return Optional.empty();
    }
    Candidates c = new Candidates(now, cooldownMillis);
    long pick = policy.pick(c);
    if (pick == -1) {
      return Optional.empty();
    }
    // The built-in policies pick through nextFree, which already skips all of these: not re-checked.
    boolean trusted = policy instanceof StandardAddressPolicy;
    int at = search(offs, pick);
    if ((!trusted && (!c.inRangeAndUnreserved(pick) || isCooling(pick, now, cooldownMillis))) || at >= 0) {
      throw new IllegalStateException("allocation policy " + policy + " picked " + s.addressAt(pick) + " in block " + s.block
          + ", which is outside the dynamic range, used, reserved or cooling down");
    }
    Block nb = inserted(-at - 1, pick, single(kind, holder, now), pick + 1, now, cooldownMillis);
    return Optional.of(new Picked(nb, s.addressAt(pick)));
  }

  /**
   * This block with the free address {@code a} (preferred, gateway, aux: inside or outside the
   * ip-range, cooling or not) allocated to {@code holder}.
   *
   * @throws IllegalArgumentException when it is outside the block or reserved
   * @throws IllegalStateException when it is already allocated
   */
  public Block take(IpAddress a, String holder, AddressKind kind, long now, long cooldownMillis) {
    if (!s.block.contains(a)) {
      throw new IllegalArgumentException(a + " is not inside block " + s.block);
    }
    long o = s.offsetOf(a, "address");
    if (o == s.reservedLow || o == s.reservedHigh || o == -1L) {
      throw new IllegalArgumentException(a + " is reserved in pool " + s.pool);
    }
    int at = search(offs, o);
    if (at >= 0) {
      throw new IllegalStateException(a + " is already allocated in block " + s.block);
    }
    return inserted(-at - 1, o, single(kind, holder, now), serialCursor, now, cooldownMillis);
  }

  /** This block with {@code holder}'s reference to {@code a} dropped, freeing it (into cooldown) if it was the last. */
  public Block drop(IpAddress a, String holder, long now, long cooldownMillis) {
    int i = indexOf(a);
    if (i < 0 || !als[i].holders().contains(holder)) {
      return this;
    }
    if (als[i].holders().size() > 1) {
      TreeSet<String> rest = new TreeSet<>(als[i].holders());
      rest.remove(holder);
      Allocation[] na = als.clone();
      na[i] = als[i].withHolders(rest);
      long[][] cool = coolingAfter(now, cooldownMillis, -1L, NO_LONGS);
      return new Block(s, owner, serialCursor, offs, na, cool[0], cool[1]);
    }
    long[] no = new long[offs.length - 1];
    Allocation[] na = new Allocation[offs.length - 1];
    System.arraycopy(offs, 0, no, 0, i);
    System.arraycopy(als, 0, na, 0, i);
    System.arraycopy(offs, i + 1, no, i, offs.length - i - 1);
    System.arraycopy(als, i + 1, na, i, offs.length - i - 1);
    long[][] cool = coolingAfter(now, cooldownMillis, -1L, cooldownMillis > 0 ? new long[] {offs[i]} : NO_LONGS);
    return new Block(s, owner, serialCursor, no.length == 0 ? NO_LONGS : no, na.length == 0 ? NO_ALLOCS : na, cool[0], cool[1]);
  }

  /** This block with every reference of a holder that {@code which} accepts dropped. */
  public Block dropAll(Predicate<String> which, long now, long cooldownMillis) {
    int from = 0;
    int to = offs.length;
    boolean any = false;
    for (int i = from; i < to && !any; i++) {
      for (String h : als[i].holders()) {
        if (which.test(h)) {
          any = true;
          break;
        }
      }
    }
    if (!any) {
      return this;
    }
    long[] no = new long[offs.length];
    Allocation[] na = new Allocation[offs.length];
    int n = 0;
    long[] freed = new long[to - from];
    int nf = 0;
    for (int i = 0; i < offs.length; i++) {
      Allocation al = als[i];
      if (i >= from && i < to) {
        TreeSet<String> keep = new TreeSet<>();
        for (String h : al.holders()) {
          if (!which.test(h)) {
            keep.add(h);
          }
        }
        if (keep.isEmpty()) {
          freed[nf++] = offs[i];
          continue;
        }
        if (keep.size() != al.holders().size()) {
          al = al.withHolders(keep);
        }
      }
      no[n] = offs[i];
      na[n++] = al;
    }
    long[][] cool = coolingAfter(now, cooldownMillis, -1L, cooldownMillis > 0 ? Arrays.copyOf(freed, nf) : NO_LONGS);
    return new Block(s, owner, serialCursor, trim(no, n), trim(na, n), cool[0], cool[1]);
  }

  /** This block with {@code holder} added to the holders of the allocated address {@code a}. */
  public Block share(IpAddress a, String holder) {
    int i = existing(a);
    if (als[i].holders().contains(holder)) {
      return this;
    }
    TreeSet<String> h = new TreeSet<>(als[i].holders());
    h.add(holder);
    return replaced(i, als[i].withHolders(h));
  }

  /** This block with the holders of the allocated address {@code a} replaced (a hand-over). */
  public Block withHolders(IpAddress a, SortedSet<String> holders) {
    if (holders.isEmpty()) {
      throw new IllegalArgumentException("an allocation needs a holder");
    }
    int i = existing(a);
    return replaced(i, als[i].withHolders(holders));
  }

  /** This block with the allocated address {@code a} marked as standing for {@code placeholder}. */
  public Block withPlaceholder(IpAddress a, IpAddress placeholder) {
    int i = existing(a);
    return replaced(i, als[i].withPlaceholder(placeholder));
  }

  // ---- internals

  private static Allocation single(AddressKind kind, String holder, long now) {
    return new Allocation(kind, Allocation.single(holder), now);
  }

  private int existing(IpAddress a) {
    int i = indexOf(a);
    if (i < 0) {
      throw new IllegalArgumentException(a + " is not allocated in block " + s.block);
    }
    return i;
  }

  private Block replaced(int i, Allocation al) {
    Allocation[] na = als.clone();
    na[i] = al;
    return new Block(s, owner, serialCursor, offs, na, coolOffs, coolAt);
  }

  private Block inserted(int at, long o, Allocation al, long cursor, long now, long cooldownMillis) {
    long[] no = new long[offs.length + 1];
    Allocation[] na = new Allocation[offs.length + 1];
    System.arraycopy(offs, 0, no, 0, at);
    System.arraycopy(als, 0, na, 0, at);
    no[at] = o;
    na[at] = al;
    System.arraycopy(offs, at, no, at + 1, offs.length - at);
    System.arraycopy(als, at, na, at + 1, offs.length - at);
    long[][] cool = coolingAfter(now, cooldownMillis, o, NO_LONGS);
    return new Block(s, owner, cursor, no, na, cool[0], cool[1]);
  }

  /**
   * The cooling entries after a change at {@code now}: expired ones dropped, {@code taken} (or -1)
   * removed, {@code freed} (ascending) added at {@code now}.
   */
  private long[][] coolingAfter(long now, long cooldownMillis, long taken, long[] freed) {
    if (coolOffs.length == 0 && freed.length == 0) {
      return new long[][] {NO_LONGS, NO_LONGS};
    }
    long[] co = new long[coolOffs.length + freed.length];
    long[] ct = new long[co.length];
    int n = 0;
    int f = 0;
    for (int i = 0; i <= coolOffs.length; i++) {
      long o = i < coolOffs.length ? coolOffs[i] : 0;
      while (f < freed.length && (i == coolOffs.length || Long.compareUnsigned(freed[f], o) <= 0)) {
        co[n] = freed[f++];
        ct[n++] = now;
      }
      if (i == coolOffs.length) {
        break;
      }
      if (o == taken || coolAt[i] + cooldownMillis <= now || n > 0 && co[n - 1] == o) {
        continue; // taken, expired, or freed again just now (the new time was written)
      }
      co[n] = o;
      ct[n++] = coolAt[i];
    }
    return new long[][] {trim(co, n), trim(ct, n)};
  }

  private static long[] trim(long[] a, int n) {
    return n == 0 ? NO_LONGS : n == a.length ? a : Arrays.copyOf(a, n);
  }

  private static Allocation[] trim(Allocation[] a, int n) {
    return n == 0 ? NO_ALLOCS : n == a.length ? a : Arrays.copyOf(a, n);
  }

  private int indexOf(IpAddress a) {
    if (!s.block.contains(a)) {
      return -1;
    }
    return search(offs, s.offsetOf(a, "address"));
  }

  /** Binary search by unsigned value: the index, or -(insertion point) - 1. */
  private static int search(long[] a, long v) {
    int lo = 0;
    int hi = a.length - 1;
    while (lo <= hi) {
      int m = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(a[m], v);
      if (c < 0) {
        lo = m + 1;
      } else if (c > 0) {
        hi = m - 1;
      } else {
        return m;
      }
    }
    return -lo - 1;
  }

  /** The lowest offset in {@code [from, to]} (unsigned) that is not allocated, or -1. */
  private long nextUnallocated(long from, long to) {
    if (Long.compareUnsigned(from, to) > 0) {
      return -1;
    }
    int i = search(offs, from);
    if (i < 0) {
      return from;
    }
    // offs[i] == from: the end of the run of consecutive offsets starting there, by bisection
    // (offs[j] - offs[i] == j - i exactly while the run lasts).
    int lo = i;
    int hi = offs.length - 1;
    while (lo < hi) {
      int m = (lo + hi + 1) >>> 1;
      if (offs[m] - offs[i] == m - i) {
        lo = m;
      } else {
        hi = m - 1;
      }
    }
    long end = offs[lo];
    return end == to || Long.compareUnsigned(end, to) > 0 ? -1 : end + 1;
  }

  private boolean isCooling(long o, long now, long cooldownMillis) {
    if (cooldownMillis <= 0 || coolOffs.length == 0) {
      return false;
    }
    int i = search(coolOffs, o);
    return i >= 0 && coolAt[i] + cooldownMillis > now;
  }

  /** The block as {@link AddressPolicy} sees it at one pick. */
  private final class Candidates implements AddressPolicy.Candidates {
    private final long now;
    private final long cooldownMillis;

    Candidates(long now, long cooldownMillis) {
      this.now = now;
      this.cooldownMillis = cooldownMillis;
    }

    @Override
    public IpPrefix block() {
      return s.block;
    }

    @Override
    public IpPrefix pool() {
      return s.pool;
    }

    @Override
    public long first() {
      return s.dynFirst;
    }

    @Override
    public long last() {
      return s.dynLast;
    }

    @Override
    public long serialCursor() {
      return serialCursor;
    }

    @Override
    public long nextFree(long from, long to) {
      long f = Long.compareUnsigned(from, s.dynFirst) < 0 ? s.dynFirst : from;
      long t = Long.compareUnsigned(to, s.dynLast) > 0 ? s.dynLast : to;
      long x = nextUnallocated(f, t);
      while (x != -1 && (x == s.reservedLow || x == s.reservedHigh || isCooling(x, now, cooldownMillis))) {
        x = x == t ? -1 : nextUnallocated(x + 1, t);
      }
      return x;
    }

    @Override
    public long nextUsed(long from) {
      int i = search(offs, from);
      int at = i >= 0 ? i : -i - 1;
      return at < offs.length ? offs[at] : -1;
    }

    boolean inRangeAndUnreserved(long o) {
      return Long.compareUnsigned(o, s.dynFirst) >= 0 && Long.compareUnsigned(o, s.dynLast) <= 0 && o != s.reservedLow && o != s.reservedHigh;
    }

    @Override
    public boolean isFree(long o) {
      return inRangeAndUnreserved(o) && search(offs, o) < 0 && !isCooling(o, now, cooldownMillis);
    }

    @Override
    public long usedCount() {
      return offs.length;
    }

    @Override
    public IpAddress addressAt(long offset) {
      return s.addressAt(offset);
    }

    @Override
    public String toString() {
      return "candidates of block " + s.block;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Block b && s.equals(b.s) && owner.equals(b.owner) && serialCursor == b.serialCursor
        && Arrays.equals(offs, b.offs) && Arrays.equals(als, b.als) && Arrays.equals(coolOffs, b.coolOffs) && Arrays.equals(coolAt, b.coolAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(s, owner, serialCursor, Arrays.hashCode(offs), Arrays.hashCode(als), Arrays.hashCode(coolOffs), Arrays.hashCode(coolAt));
  }

  @Override
  public String toString() {
    return "Block[pool=" + s.pool + ", block=" + s.block + ", ipRange=" + s.ipRange + ", owner=" + owner + ", allocations=" + allocations()
        + ", serialCursor=" + serialCursor + ", cooling=" + cooling() + "]";
  }

  /**
   * What does not change between versions of a block: its place, its dynamic range and its
   * reserved offsets (-1: none; never a valid offset, the all-ones offset is excluded).
   */
  record Shape(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange, long lastOffset, boolean dynEmpty, long dynFirst, long dynLast,
      long reservedLow, long reservedHigh) {

    static Shape of(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange) {
      if (!pool.contains(block)) {
        throw new IllegalArgumentException("block " + block + " is not inside pool " + pool);
      }
      if (block.hostBits() > 64) {
        throw new IllegalArgumentException("block " + block + " is too large (at most a /64)");
      }
      // A /64 keeps its all-ones interface identifier (the top of RFC 2526's reserved range) out.
      long last = block.hostBits() == 64 ? -2L : block.hostBits() == 63 ? Long.MAX_VALUE : (1L << block.hostBits()) - 1;
      long first = 0;
      long dl = last;
      boolean empty = false;
      if (ipRange.isPresent()) {
        IpPrefix r = ipRange.get();
        if (r.contains(block)) {
          // whole block usable
        } else if (block.contains(r)) {
          first = block.offsetOf(r.first());
          long rl = block.offsetOf(r.last());
          dl = Long.compareUnsigned(rl, last) > 0 ? last : rl;
        } else {
          empty = true;
        }
      }
      boolean reserves = pool.hostBits() >= 2;
      long low = reserves && block.contains(pool.first()) ? block.offsetOf(pool.first()) : -1;
      long high = reserves && pool.family() == IpFamily.IPV4 && block.contains(pool.last()) ? block.offsetOf(pool.last()) : -1;
      return new Shape(pool, block, ipRange, last, empty, first, dl, low, high);
    }

    IpAddress addressAt(long o) {
      IpAddress n = block.network();
      return n.isV4() ? IpAddress.ofV4((int) (n.low() + o)) : IpAddress.ofV6(n.high(), n.low() | o);
    }

    long offsetOf(IpAddress a, String what) {
      if (!block.contains(a)) {
        throw new IllegalArgumentException(what + " " + a + " is not inside block " + block);
      }
      return a.low() - block.network().low();
    }
  }
}
