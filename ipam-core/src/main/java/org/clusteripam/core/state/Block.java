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
import org.clusteripam.core.ipam.Holder;
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
 * copy: nothing is rebuilt per call. The rules (which the properties compare with a reference model
 * in the test sources): lowest-free or serial picks inside block ∩ ip-range, reserved addresses
 * never handed out, reuse cooldown for dynamic picks only. Encoded by {@link BlockCodec}.
 */
public final class Block {
  private static final long[] NO_LONGS = {};
  private static final Allocation[] NO_ALLOCS = {};

  private final Shape s;
  private final Optional<Holder> owner;
  private final long serialCursor;

  /**
   * Flat form (null in the chunked form): allocated offsets, ascending unsigned; {@code als[i]}
   * describes {@code offs[i]}.
   */
  private final long[] offs;

  private final Allocation[] als;

  /** Cooling offsets, ascending unsigned, with their release times. */
  private final long[] coolOffs;

  private final long[] coolAt;

  /**
   * Chunked form (null in the flat form): a block larger than a chunk, stored as a summary and
   * chunk keys.
   */
  private final Chunks ch;

  private volatile SortedMap<IpAddress, Allocation> allocationsView;
  private volatile SortedMap<IpAddress, Long> coolingView;

  /** The outcome of a pick: the new block and the address it handed out. */
  public record Picked(Block block, IpAddress address) {}

  private Block(
      Shape s,
      Optional<Holder> owner,
      long serialCursor,
      long[] offs,
      Allocation[] als,
      long[] coolOffs,
      long[] coolAt) {
    this.s = s;
    this.owner = Objects.requireNonNull(owner, "owner");
    this.serialCursor = serialCursor;
    this.offs = offs;
    this.als = als;
    this.coolOffs = coolOffs;
    this.coolAt = coolAt;
    this.ch = null;
  }

  private Block(Shape s, Optional<Holder> owner, long serialCursor, Chunks ch) {
    this.s = s;
    this.owner = Objects.requireNonNull(owner, "owner");
    this.serialCursor = serialCursor;
    this.offs = null;
    this.als = null;
    this.coolOffs = null;
    this.coolAt = null;
    this.ch = ch;
  }

  /** Whether blocks of this size are stored chunked (larger than one chunk of 128 offsets). */
  static boolean chunkable(IpPrefix block) {
    return block.hostBits() > Chunks.BITS;
  }

  /**
   * A new block; one larger than a chunk (128 addresses) is in the chunked form, stored as a
   * summary and chunk keys.
   */
  public static Block empty(
      IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange, Optional<Holder> owner) {
    Shape s = Shape.of(pool, block, ipRange);
    if (chunkable(block)) {
      return new Block(s, owner, 0, Chunks.none(Keys.block(pool, block) + "/"));
    }
    return new Block(s, owner, 0, NO_LONGS, NO_ALLOCS, NO_LONGS, NO_LONGS);
  }

  /** A new block with affinity to {@code owner}. */
  public static Block empty(
      IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange, Holder owner) {
    return empty(pool, block, ipRange, Optional.of(owner));
  }

  /**
   * A block from its parts.
   *
   * @throws IllegalArgumentException when the block is not inside the pool, is larger than a /64,
   *     or an address is outside the block
   */
  public static Block of(
      IpPrefix pool,
      IpPrefix block,
      Optional<IpPrefix> ipRange,
      Optional<Holder> owner,
      SortedMap<IpAddress, Allocation> allocations,
      long serialCursor,
      SortedMap<IpAddress, Long> cooling) {
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
  static Block decoded(
      Shape s,
      Optional<Holder> owner,
      long serialCursor,
      long[] offs,
      Allocation[] als,
      long[] coolOffs,
      long[] coolAt) {
    checkAscending(s, offs, "allocation");
    checkAscending(s, coolOffs, "cooling address");
    return new Block(s, owner, serialCursor, offs, als, coolOffs, coolAt);
  }

  /** For {@link BlockCodec}: a chunked block from its summary. */
  static Block chunked(Shape s, Optional<Holder> owner, long serialCursor, Chunks ch) {
    return new Block(s, owner, serialCursor, ch);
  }

  /** For {@link BlockCodec}: the flat content of one chunk (shape of the whole block, no owner). */
  static Block chunkContent(
      Shape s, long[] offs, Allocation[] als, long[] coolOffs, long[] coolAt) {
    checkAscending(s, offs, "allocation");
    checkAscending(s, coolOffs, "cooling address");
    return new Block(s, Optional.empty(), 0, offs, als, coolOffs, coolAt);
  }

  /**
   * This block reading the chunks it has not read yet through {@code chunks} (key → value; the
   * engine passes its transaction's tracked read): a block in the chunked form reads only the
   * chunks an operation needs. A flat block is returned as is.
   */
  public Block reading(java.util.function.Function<String, Optional<byte[]>> chunks) {
    return ch == null ? this : new Block(s, owner, serialCursor, ch.reading(chunks));
  }

  private static void checkAscending(Shape s, long[] a, String what) {
    for (int i = 0; i < a.length; i++) {
      if (Long.compareUnsigned(a[i], s.lastOffset) > 0) {
        throw new IllegalArgumentException(
            what + " at offset " + Long.toUnsignedString(a[i]) + " is not inside block " + s.block);
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

  /** The holder with affinity to the block, if any. */
  public Optional<Holder> owner() {
    return owner;
  }

  /** Whether {@code holder} has affinity to the block. */
  public boolean isOwnedBy(Holder holder) {
    return owner.isPresent() && owner.get().equals(holder);
  }

  /** The offset after the last address handed out dynamically. */
  public long serialCursor() {
    return serialCursor;
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  /** Number of allocated addresses. */
  public int size() {
    return ch != null ? ch.total : offs.length;
  }

  /** The allocation of {@code a}, if it is allocated in this block. */
  public Optional<Allocation> allocation(IpAddress a) {
    if (ch != null) {
      Block c = chunkHolding(a);
      return c == null ? Optional.empty() : c.allocation(a);
    }
    int i = indexOf(a);
    return i < 0 ? Optional.empty() : Optional.of(als[i]);
  }

  public boolean isAllocated(IpAddress a) {
    if (ch != null) {
      Block c = chunkHolding(a);
      return c != null && c.isAllocated(a);
    }
    return indexOf(a) >= 0;
  }

  /** Whether some allocation has a holder that {@code which} accepts. */
  public boolean anyHolder(Predicate<Holder> which) {
    if (ch != null) {
      for (int i = 0; i < ch.count(); i++) {
        if (ch.used[i] > 0 && ch.load(i, s).anyHolder(which)) {
          return true;
        }
      }
      return false;
    }
    for (Allocation a : als) {
      for (Holder h : a.holders()) {
        if (which.test(h)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Calls {@code f} with every allocation, by ascending address (no map built). */
  public void forEachAllocation(java.util.function.BiConsumer<IpAddress, Allocation> f) {
    if (ch != null) {
      for (int i = 0; i < ch.count(); i++) {
        if (ch.used[i] > 0) {
          ch.load(i, s).forEachAllocation(f);
        }
      }
      return;
    }
    for (int i = 0; i < offs.length; i++) {
      f.accept(s.addressAt(offs[i]), als[i]);
    }
  }

  /**
   * Every allocation by address (built once per block on first use: for readers, not the hot path).
   */
  public SortedMap<IpAddress, Allocation> allocations() {
    SortedMap<IpAddress, Allocation> m = allocationsView;
    if (m == null) {
      TreeMap<IpAddress, Allocation> t = new TreeMap<>();
      forEachAllocation(t::put);
      allocationsView = m = Collections.unmodifiableSortedMap(t);
    }
    return m;
  }

  /**
   * Released addresses in their reuse cooldown, with the release time, as stored (expired ones go
   * on the next change).
   */
  public SortedMap<IpAddress, Long> cooling() {
    SortedMap<IpAddress, Long> m = coolingView;
    if (m == null) {
      TreeMap<IpAddress, Long> t = new TreeMap<>();
      if (ch != null) {
        for (int i = 0; i < ch.count(); i++) {
          if (ch.cool[i] > 0) {
            t.putAll(ch.load(i, s).cooling());
          }
        }
      } else {
        for (int i = 0; i < coolOffs.length; i++) {
          t.put(s.addressAt(coolOffs[i]), coolAt[i]);
        }
      }
      coolingView = m = Collections.unmodifiableSortedMap(t);
    }
    return m;
  }

  // ---- for the codec

  Shape shape() {
    return s;
  }

  /** The chunked form, or null. */
  Chunks chunks() {
    return ch;
  }

  /** This block in the flat form (every chunk read). */
  Block flat() {
    if (ch == null) {
      return this;
    }
    int n = ch.total;
    int nc = 0;
    for (int c : ch.cool) {
      nc += c;
    }
    long[] o = new long[n];
    Allocation[] a = new Allocation[n];
    long[] co = new long[nc];
    long[] ct = new long[nc];
    int k = 0;
    int kc = 0;
    for (int i = 0; i < ch.count(); i++) {
      if (ch.gone(i)) {
        continue;
      }
      Block c = ch.load(i, s);
      System.arraycopy(c.offs, 0, o, k, c.offs.length);
      System.arraycopy(c.als, 0, a, k, c.als.length);
      System.arraycopy(c.coolOffs, 0, co, kc, c.coolOffs.length);
      System.arraycopy(c.coolAt, 0, ct, kc, c.coolAt.length);
      k += c.offs.length;
      kc += c.coolOffs.length;
    }
    return new Block(
        s,
        owner,
        serialCursor,
        n == 0 ? NO_LONGS : o,
        n == 0 ? NO_ALLOCS : a,
        nc == 0 ? NO_LONGS : co,
        nc == 0 ? NO_LONGS : ct);
  }

  /**
   * This flat block's content split by chunk: chunk index → content (for the conversion to the
   * chunked form).
   */
  java.util.SortedMap<Long, Block> splitIntoChunks() {
    TreeMap<Long, Block> out = new TreeMap<>(Long::compareUnsigned);
    int i = 0;
    int j = 0;
    while (i < offs.length || j < coolOffs.length) {
      long c =
          i < offs.length
                  && (j >= coolOffs.length
                      || Long.compareUnsigned(offs[i] >>> Chunks.BITS, coolOffs[j] >>> Chunks.BITS)
                          <= 0)
              ? offs[i] >>> Chunks.BITS
              : coolOffs[j] >>> Chunks.BITS;
      int i2 = i;
      while (i2 < offs.length && offs[i2] >>> Chunks.BITS == c) {
        i2++;
      }
      int j2 = j;
      while (j2 < coolOffs.length && coolOffs[j2] >>> Chunks.BITS == c) {
        j2++;
      }
      out.put(
          c,
          new Block(
              s,
              Optional.empty(),
              0,
              Arrays.copyOfRange(offs, i, i2),
              Arrays.copyOfRange(als, i, i2),
              Arrays.copyOfRange(coolOffs, j, j2),
              Arrays.copyOfRange(coolAt, j, j2)));
      i = i2;
      j = j2;
    }
    return out;
  }

  /** A block of this shape, owner and cursor in the chunked form {@code c}. */
  Block withChunks(Chunks c) {
    return new Block(s, owner, serialCursor, c);
  }

  long offsetAt(int i) {
    return offs[i];
  }

  Allocation allocationAt(int i) {
    return als[i];
  }

  int coolingCount() {
    if (ch != null) {
      int n = 0;
      for (int c : ch.cool) {
        n += c;
      }
      return n;
    }
    return coolOffs.length;
  }

  long coolingOffsetAt(int i) {
    return coolOffs[i];
  }

  long coolingTimeAt(int i) {
    return coolAt[i];
  }

  // ---- operations

  public Block withOwner(Optional<Holder> o) {
    if (o.equals(owner)) {
      return this;
    }
    return ch != null
        ? new Block(s, o, serialCursor, ch)
        : new Block(s, o, serialCursor, offs, als, coolOffs, coolAt);
  }

  /**
   * A dynamic pick for {@code holder}: the address {@code policy} chooses among the free ones of
   * the dynamic range (not used, not reserved, not cooling down), or empty when it chooses none.
   *
   * @throws IllegalStateException when the policy picks an address it may not (nothing changes)
   */
  public Optional<Picked> pick(
      Holder holder, AddressKind kind, AddressPolicy policy, long now, long cooldownMillis) {
    if (s.dynEmpty) {
      return Optional.empty();
    }
    if (ch != null) {
      return pickChunked(holder, kind, policy, now, cooldownMillis);
    }
    Candidates c = new Candidates(now, cooldownMillis);
    long pick = policy.pick(c);
    if (pick == -1) {
      return Optional.empty();
    }
    // The built-in policies pick through nextFree, which already skips all of these: not
    // re-checked.
    boolean trusted = policy instanceof StandardAddressPolicy;
    int at = search(offs, pick);
    if ((!trusted && (!c.inRangeAndUnreserved(pick) || isCooling(pick, now, cooldownMillis)))
        || at >= 0) {
      throw new IllegalStateException(
          "allocation policy "
              + policy
              + " picked "
              + s.addressAt(pick)
              + " in block "
              + s.block
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
  public Block take(IpAddress a, Holder holder, AddressKind kind, long now, long cooldownMillis) {
    if (!s.block.contains(a)) {
      throw new IllegalArgumentException(a + " is not inside block " + s.block);
    }
    long o = s.offsetOf(a, "address");
    if (o == s.reservedLow || o == s.reservedHigh || o == -1L) {
      throw new IllegalArgumentException(a + " is reserved in pool " + s.pool);
    }
    if (ch != null) {
      long c = o >>> Chunks.BITS;
      Block sub = chunkAt(c);
      if (search(sub.offs, o) >= 0) {
        throw new IllegalStateException(a + " is already allocated in block " + s.block);
      }
      return new Block(
          s, owner, serialCursor, ch.with(c, sub.take(a, holder, kind, now, cooldownMillis)));
    }
    int at = search(offs, o);
    if (at >= 0) {
      throw new IllegalStateException(a + " is already allocated in block " + s.block);
    }
    return inserted(-at - 1, o, single(kind, holder, now), serialCursor, now, cooldownMillis);
  }

  /**
   * This block with {@code holder}'s reference to {@code a} dropped, freeing it (into cooldown) if
   * it was the last.
   */
  public Block drop(IpAddress a, Holder holder, long now, long cooldownMillis) {
    if (ch != null) {
      Block sub = chunkHolding(a);
      return sub == null ? this : changed(a, sub, sub.drop(a, holder, now, cooldownMillis));
    }
    int i = indexOf(a);
    if (i < 0 || !als[i].holders().contains(holder)) {
      return this;
    }
    if (als[i].holders().size() > 1) {
      TreeSet<Holder> rest = new TreeSet<>(als[i].holders());
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
    long[][] cool =
        coolingAfter(
            now, cooldownMillis, -1L, cooldownMillis > 0 ? new long[] {offs[i]} : NO_LONGS);
    return new Block(
        s,
        owner,
        serialCursor,
        no.length == 0 ? NO_LONGS : no,
        na.length == 0 ? NO_ALLOCS : na,
        cool[0],
        cool[1]);
  }

  /** This block with every reference of a holder that {@code which} accepts dropped. */
  public Block dropAll(Predicate<Holder> which, long now, long cooldownMillis) {
    if (ch != null) {
      Chunks nc = ch;
      for (int i = 0; i < ch.count(); i++) {
        if (ch.used[i] == 0) {
          continue;
        }
        Block sub = nc.load(i, s);
        Block nsub = sub.dropAll(which, now, cooldownMillis);
        if (nsub != sub) {
          nc = nc.with(ch.idx[i], nsub);
        }
      }
      return nc == ch ? this : new Block(s, owner, serialCursor, nc);
    }
    int from = 0;
    int to = offs.length;
    boolean any = false;
    for (int i = from; i < to && !any; i++) {
      for (Holder h : als[i].holders()) {
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
        TreeSet<Holder> keep = new TreeSet<>();
        for (Holder h : al.holders()) {
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
    long[][] cool =
        coolingAfter(
            now, cooldownMillis, -1L, cooldownMillis > 0 ? Arrays.copyOf(freed, nf) : NO_LONGS);
    return new Block(s, owner, serialCursor, trim(no, n), trim(na, n), cool[0], cool[1]);
  }

  /** This block with {@code holder} added to the holders of the allocated address {@code a}. */
  public Block share(IpAddress a, Holder holder) {
    if (ch != null) {
      Block sub = existingChunk(a);
      return changed(a, sub, sub.share(a, holder));
    }
    int i = existing(a);
    if (als[i].holders().contains(holder)) {
      return this;
    }
    TreeSet<Holder> h = new TreeSet<>(als[i].holders());
    h.add(holder);
    return replaced(i, als[i].withHolders(h));
  }

  /** This block with the holders of the allocated address {@code a} replaced (a hand-over). */
  public Block withHolders(IpAddress a, SortedSet<Holder> holders) {
    if (holders.isEmpty()) {
      throw new IllegalArgumentException("an allocation needs a holder");
    }
    if (ch != null) {
      Block sub = existingChunk(a);
      return changed(a, sub, sub.withHolders(a, holders));
    }
    int i = existing(a);
    return replaced(i, als[i].withHolders(holders));
  }

  /** This block with the allocated address {@code a} marked as standing for {@code placeholder}. */
  public Block withPlaceholder(IpAddress a, IpAddress placeholder) {
    if (ch != null) {
      Block sub = existingChunk(a);
      return changed(a, sub, sub.withPlaceholder(a, placeholder));
    }
    int i = existing(a);
    return replaced(i, als[i].withPlaceholder(placeholder));
  }

  // ---- internals of the chunked form

  /**
   * The content of the chunk holding {@code a}, or null when {@code a} is outside the block or its
   * chunk does not exist.
   */
  private Block chunkHolding(IpAddress a) {
    if (!s.block.contains(a)) {
      return null;
    }
    int i = ch.find(s.offsetOf(a, "address") >>> Chunks.BITS);
    return i < 0 ? null : ch.load(i, s);
  }

  private Block existingChunk(IpAddress a) {
    Block sub = chunkHolding(a);
    if (sub == null) {
      throw new IllegalArgumentException(a + " is not allocated in block " + s.block);
    }
    return sub;
  }

  /** The content of chunk {@code c} (empty when it does not exist). */
  private Block chunkAt(long c) {
    int i = ch.find(c);
    return i < 0
        ? new Block(s, Optional.empty(), 0, NO_LONGS, NO_ALLOCS, NO_LONGS, NO_LONGS)
        : ch.load(i, s);
  }

  private Block changed(IpAddress a, Block sub, Block nsub) {
    return nsub == sub
        ? this
        : new Block(
            s, owner, serialCursor, ch.with(s.offsetOf(a, "address") >>> Chunks.BITS, nsub));
  }

  private Optional<Picked> pickChunked(
      Holder holder, AddressKind kind, AddressPolicy policy, long now, long cooldownMillis) {
    ChunkedCandidates c = new ChunkedCandidates(now, cooldownMillis);
    long pick = policy.pick(c);
    if (pick == -1) {
      return Optional.empty();
    }
    boolean trusted = policy instanceof StandardAddressPolicy;
    if (!trusted && !c.inRangeAndUnreserved(pick)) {
      throw refused(policy, pick);
    }
    long ci = pick >>> Chunks.BITS;
    Block sub = chunkAt(ci);
    int at = search(sub.offs, pick);
    if (at >= 0 || !trusted && sub.isCooling(pick, now, cooldownMillis)) {
      throw refused(policy, pick);
    }
    Block nsub = sub.inserted(-at - 1, pick, single(kind, holder, now), 0, now, cooldownMillis);
    return Optional.of(
        new Picked(new Block(s, owner, pick + 1, ch.with(ci, nsub)), s.addressAt(pick)));
  }

  private IllegalStateException refused(AddressPolicy policy, long pick) {
    return new IllegalStateException(
        "allocation policy "
            + policy
            + " picked "
            + s.addressAt(pick)
            + " in block "
            + s.block
            + ", which is outside the dynamic range, used, reserved or cooling down");
  }

  /**
   * Whether chunk {@code i} has no free offset at all (its offsets in the block, less the reserved
   * ones, are all allocated).
   */
  private boolean full(int i) {
    long c = ch.idx[i];
    long start = c << Chunks.BITS;
    long end = start | (Chunks.SIZE - 1);
    if (Long.compareUnsigned(end, s.lastOffset) > 0) {
      end = s.lastOffset;
    }
    long cap = end - start + 1;
    if (s.reservedLow != -1 && s.reservedLow >>> Chunks.BITS == c) {
      cap--;
    }
    if (s.reservedHigh != -1 && s.reservedHigh >>> Chunks.BITS == c) {
      cap--;
    }
    return ch.used[i] >= cap;
  }

  /**
   * The lowest free offset in {@code [from, to]} (inside the dynamic range) of this flat block: not
   * allocated, reserved or cooling.
   */
  private long nextFreeIn(long from, long to, long now, long cooldownMillis) {
    long x = nextUnallocated(from, to);
    while (x != -1
        && (x == s.reservedLow || x == s.reservedHigh || isCooling(x, now, cooldownMillis))) {
      x = x == to ? -1 : nextUnallocated(x + 1, to);
    }
    return x;
  }

  private long nextUsedIn(long from) {
    int i = search(offs, from);
    int at = i >= 0 ? i : -i - 1;
    return at < offs.length ? offs[at] : -1;
  }

  /**
   * The chunked block as {@link AddressPolicy} sees it at one pick: chunks are read as the policy
   * looks into them.
   */
  private final class ChunkedCandidates extends PickCandidates {
    ChunkedCandidates(long now, long cooldownMillis) {
      super(now, cooldownMillis);
    }

    @Override
    public long nextFree(long from, long to) {
      long f = Long.compareUnsigned(from, s.dynFirst) < 0 ? s.dynFirst : from;
      long t = Long.compareUnsigned(to, s.dynLast) > 0 ? s.dynLast : to;
      if (Long.compareUnsigned(f, t) > 0) {
        return -1;
      }
      long c = f >>> Chunks.BITS;
      long cEnd = t >>> Chunks.BITS;
      int i = ch.find(c);
      if (i < 0) {
        i = -i - 1;
      }
      while (true) {
        long lo = c == f >>> Chunks.BITS ? f : c << Chunks.BITS;
        long hi = c == cEnd ? t : (c << Chunks.BITS) | (Chunks.SIZE - 1);
        long x;
        if (i < ch.count() && ch.idx[i] == c) {
          x = full(i) ? -1 : ch.load(i, s).nextFreeIn(lo, hi, now, cooldownMillis);
          i++;
        } else {
          x = lo; // a chunk that does not exist holds nothing: its lowest unreserved offset
          while (x == s.reservedLow || x == s.reservedHigh) {
            x = x == hi ? -1 : x + 1;
            if (x == -1) {
              break;
            }
          }
        }
        if (x != -1) {
          return x;
        }
        if (c == cEnd) {
          return -1;
        }
        c++;
      }
    }

    @Override
    public long nextUsed(long from) {
      int i = ch.find(from >>> Chunks.BITS);
      for (i = i < 0 ? -i - 1 : i; i < ch.count(); i++) {
        if (ch.used[i] > 0) {
          long x = ch.load(i, s).nextUsedIn(from);
          if (x != -1) {
            return x;
          }
        }
      }
      return -1;
    }

    @Override
    public boolean isFree(long o) {
      if (!inRangeAndUnreserved(o)) {
        return false;
      }
      int i = ch.find(o >>> Chunks.BITS);
      if (i < 0) {
        return true;
      }
      Block sub = ch.load(i, s);
      return search(sub.offs, o) < 0 && !sub.isCooling(o, now, cooldownMillis);
    }

    @Override
    public long usedCount() {
      return ch.total;
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

  // ---- internals

  private static Allocation single(AddressKind kind, Holder holder, long now) {
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

  private Block inserted(
      int at, long o, Allocation al, long cursor, long now, long cooldownMillis) {
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

  /**
   * What both forms of the block show {@link AddressPolicy} at one pick: the block's range, its
   * serial cursor and the pick's clock; the one-value and chunked forms differ only in where they
   * look for free and used offsets.
   */
  private abstract class PickCandidates implements AddressPolicy.Candidates {
    final long now;
    final long cooldownMillis;

    PickCandidates(long now, long cooldownMillis) {
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

    boolean inRangeAndUnreserved(long o) {
      return Long.compareUnsigned(o, s.dynFirst) >= 0
          && Long.compareUnsigned(o, s.dynLast) <= 0
          && o != s.reservedLow
          && o != s.reservedHigh;
    }
  }

  /** The block as {@link AddressPolicy} sees it at one pick. */
  private final class Candidates extends PickCandidates {
    Candidates(long now, long cooldownMillis) {
      super(now, cooldownMillis);
    }

    @Override
    public long nextFree(long from, long to) {
      long f = Long.compareUnsigned(from, s.dynFirst) < 0 ? s.dynFirst : from;
      long t = Long.compareUnsigned(to, s.dynLast) > 0 ? s.dynLast : to;
      return nextFreeIn(f, t, now, cooldownMillis);
    }

    @Override
    public long nextUsed(long from) {
      return nextUsedIn(from);
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

  /**
   * Equal content, whichever form (flat or chunked) either is in (a chunked one reads all its
   * chunks).
   */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Block x)
        || !s.equals(x.s)
        || !owner.equals(x.owner)
        || serialCursor != x.serialCursor
        || size() != x.size()) {
      return false;
    }
    Block a = flat();
    Block b = x.flat();
    return Arrays.equals(a.offs, b.offs)
        && Arrays.equals(a.als, b.als)
        && Arrays.equals(a.coolOffs, b.coolOffs)
        && Arrays.equals(a.coolAt, b.coolAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(s, owner, serialCursor, size());
  }

  @Override
  public String toString() {
    return "Block[pool="
        + s.pool
        + ", block="
        + s.block
        + ", ipRange="
        + s.ipRange
        + ", owner="
        + owner.map(Holder::format).orElse("")
        + ", allocations="
        + allocations()
        + ", serialCursor="
        + serialCursor
        + ", cooling="
        + cooling()
        + "]";
  }

  /**
   * What does not change between versions of a block: its place, its dynamic range and its reserved
   * offsets (-1: none; never a valid offset, the all-ones offset is excluded).
   */
  record Shape(
      IpPrefix pool,
      IpPrefix block,
      Optional<IpPrefix> ipRange,
      long lastOffset,
      boolean dynEmpty,
      long dynFirst,
      long dynLast,
      long reservedLow,
      long reservedHigh) {

    static Shape of(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange) {
      if (!pool.contains(block)) {
        throw new IllegalArgumentException("block " + block + " is not inside pool " + pool);
      }
      if (block.hostBits() > 64) {
        throw new IllegalArgumentException("block " + block + " is too large (at most a /64)");
      }
      // A /64 keeps its all-ones interface identifier (the top of RFC 2526's reserved range) out.
      long last =
          block.hostBits() == 64
              ? -2L
              : block.hostBits() == 63 ? Long.MAX_VALUE : (1L << block.hostBits()) - 1;
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
      long high =
          reserves && pool.family() == IpFamily.IPV4 && block.contains(pool.last())
              ? block.offsetOf(pool.last())
              : -1;
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
