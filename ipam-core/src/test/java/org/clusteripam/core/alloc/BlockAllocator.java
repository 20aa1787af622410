package org.clusteripam.core.alloc;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * Address allocation inside one block of a pool: lowest-free or serial picks restricted to the
 * pool's ip-range, reuse cooldown, preferred addresses anywhere in the block, and the pool's
 * reserved addresses (the network address, and the IPv4 broadcast address, except in /31 and /32
 * pools; IPv6 keeps its subnet-router anycast address out as Docker does).
 *
 * <p>The reference model (test sources only) that {@code BlockProperties} compares {@link
 * org.clusteripam.core.state.Block} with: mutable, single-threaded, one set of used offsets.
 */
public final class BlockAllocator {
  private final IpPrefix pool;
  private final IpPrefix block;
  private final OffsetSet used;

  /** Dynamic picks stay within [dynFirst, dynLast] (unsigned offsets, block ∩ ip-range). */
  private final boolean dynEmpty;

  private final long dynFirst;
  private final long dynLast;

  /** Offsets never handed out, or -1 (never a valid offset: the all-ones offset is excluded). */
  private final long reservedLow;

  private final long reservedHigh;
  private final TreeMap<Long, Long> coolingSince = new TreeMap<>();
  private final long cooldownMillis;
  private long serialCursor;
  private final Candidates candidates = new Candidates();

  /**
   * @param ipRange the pool's {@code --ip-range}, restricting dynamic picks only
   * @param cooldownMillis how long a released address is not handed out dynamically (0: never)
   * @throws IllegalArgumentException when the block is not inside the pool or holds more than 2^64
   *     addresses
   */
  public BlockAllocator(
      IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange, long cooldownMillis) {
    if (!pool.contains(block)) {
      throw new IllegalArgumentException("block " + block + " is not inside pool " + pool);
    }
    if (block.hostBits() > 64) {
      throw new IllegalArgumentException("block " + block + " is too large (at most a /64)");
    }
    this.pool = pool;
    this.block = block;
    long lastOffset = lastOffset(block);
    this.used = OffsetSet.forLastOffset(lastOffset);
    this.cooldownMillis = Math.max(0, cooldownMillis);
    long first = 0;
    long last = lastOffset;
    boolean empty = false;
    if (ipRange.isPresent()) {
      IpPrefix r = ipRange.get();
      if (r.contains(block)) {
        // whole block usable
      } else if (block.contains(r)) {
        first = block.offsetOf(r.first());
        long rl = block.offsetOf(r.last());
        last = Long.compareUnsigned(rl, lastOffset) > 0 ? lastOffset : rl;
      } else {
        empty = true;
      }
    }
    this.dynEmpty = empty;
    this.dynFirst = first;
    this.dynLast = last;
    this.reservedLow = reservedOffset(pool.first());
    this.reservedHigh = pool.family() == IpFamily.IPV4 ? reservedOffset(pool.last()) : -1;
  }

  /**
   * The highest offset a block serves: all of it, except that a /64 keeps its all-ones interface
   * identifier (the top of RFC 2526's reserved subnet anycast range) out.
   */
  static long lastOffset(IpPrefix block) {
    return block.hostBits() == 64
        ? -2L
        : block.hostBits() == 63 ? Long.MAX_VALUE : (1L << block.hostBits()) - 1;
  }

  private long reservedOffset(IpAddress a) {
    boolean reserves = pool.hostBits() >= 2;
    return reserves && block.contains(a) ? block.offsetOf(a) : -1;
  }

  public static boolean isReserved(IpPrefix pool, IpAddress a) {
    return ReservedAddresses.isReserved(pool, a);
  }

  public static Optional<String> reservedReason(IpPrefix pool, int blockLength, IpAddress a) {
    return ReservedAddresses.reservedReason(pool, blockLength, a);
  }

  private IpAddress addressAt(long offset) {
    IpAddress n = block.network();
    return offset >= 0 ? n.plus(offset) : n.plus(Long.MAX_VALUE).plus(offset - Long.MIN_VALUE + 1);
  }

  public IpPrefix block() {
    return block;
  }

  public IpPrefix pool() {
    return pool;
  }

  /** Marks an address as used while loading a stored block. */
  public void load(IpAddress a) {
    used.add(block.offsetOf(a));
  }

  /** Loads a cooldown entry of a stored block. */
  public void loadCooling(IpAddress a, long freedAtMillis) {
    coolingSince.put(block.offsetOf(a), freedAtMillis);
  }

  public void setSerialCursor(long offset) {
    this.serialCursor = offset;
  }

  /** The offset after the last serially handed out address. */
  public long serialCursor() {
    return serialCursor;
  }

  public boolean isUsed(IpAddress a) {
    return used.contains(block.offsetOf(a));
  }

  public long usedCount() {
    return used.count();
  }

  /** Addresses a dynamic pick may still return, ignoring cooldown (saturates at Long.MAX_VALUE). */
  public long dynamicFree() {
    if (dynEmpty) {
      return 0;
    }
    long span = dynLast - dynFirst;
    long n = span < 0 || span == Long.MAX_VALUE ? Long.MAX_VALUE : span + 1;
    for (long o = used.nextUsed(dynFirst);
        o != -1 && Long.compareUnsigned(o, dynLast) <= 0;
        o = used.nextUsed(o + 1)) {
      n--;
      if (o == dynLast) {
        break;
      }
    }
    for (long r : new long[] {reservedLow, reservedHigh}) {
      if (r != -1
          && Long.compareUnsigned(r, dynFirst) >= 0
          && Long.compareUnsigned(r, dynLast) <= 0
          && !used.contains(r)) {
        n--;
      }
    }
    return n;
  }

  /** Cooldown entries still in force at {@code nowMillis} (expired ones are dropped). */
  public Map<IpAddress, Long> cooling(long nowMillis) {
    TreeMap<IpAddress, Long> out = new TreeMap<>();
    coolingSince.forEach(
        (o, t) -> {
          if (t + cooldownMillis > nowMillis) {
            out.put(addressAt(o), t);
          }
        });
    return out;
  }

  /**
   * Hands out a free address: the lowest one, or with {@code serial} the first after the last one
   * handed out, wrapping. Skips reserved addresses and those still cooling down.
   */
  public Optional<IpAddress> allocate(boolean serial, long nowMillis) {
    return allocate(
        serial ? StandardAddressPolicy.SERIAL : StandardAddressPolicy.LOWEST_FREE, nowMillis);
  }

  /**
   * Hands out the free address {@code policy} picks, or empty when it picks none.
   *
   * @throws IllegalStateException when the policy picks an address outside the dynamic range, or
   *     one that is used, reserved or cooling down (nothing changes)
   */
  public Optional<IpAddress> allocate(AddressPolicy policy, long nowMillis) {
    if (dynEmpty) {
      return Optional.empty();
    }
    candidates.now = nowMillis;
    long pick = policy.pick(candidates);
    if (pick == -1) {
      return Optional.empty();
    }
    // The built-in policies pick through scan(), which already skips all of these: not re-checked.
    boolean trusted = policy instanceof StandardAddressPolicy;
    if ((!trusted && (!candidates.inRangeAndUnreserved(pick) || isCooling(pick, nowMillis)))
        || !used.add(pick)) {
      throw new IllegalStateException(
          "allocation policy "
              + policy
              + " picked "
              + addressAt(pick)
              + " in block "
              + block
              + ", which is outside the dynamic range, used, reserved or cooling down");
    }
    if (!coolingSince.isEmpty()) {
      coolingSince.remove(pick);
    }
    serialCursor = pick + 1;
    return Optional.of(addressAt(pick));
  }

  /** The block as {@link AddressPolicy} sees it; one per allocator, {@code now} set per pick. */
  private final class Candidates implements AddressPolicy.Candidates {
    long now;

    @Override
    public IpPrefix block() {
      return block;
    }

    @Override
    public IpPrefix pool() {
      return pool;
    }

    @Override
    public long first() {
      return dynFirst;
    }

    @Override
    public long last() {
      return dynLast;
    }

    @Override
    public long serialCursor() {
      return serialCursor;
    }

    @Override
    public long nextFree(long from, long to) {
      long f = Long.compareUnsigned(from, dynFirst) < 0 ? dynFirst : from;
      long t = Long.compareUnsigned(to, dynLast) > 0 ? dynLast : to;
      return scan(f, t, now);
    }

    @Override
    public long nextUsed(long from) {
      return used.nextUsed(from);
    }

    boolean inRangeAndUnreserved(long o) {
      return Long.compareUnsigned(o, dynFirst) >= 0
          && Long.compareUnsigned(o, dynLast) <= 0
          && o != reservedLow
          && o != reservedHigh;
    }

    @Override
    public boolean isFree(long o) {
      return inRangeAndUnreserved(o) && !used.contains(o) && !isCooling(o, now);
    }

    @Override
    public long usedCount() {
      return used.count();
    }

    @Override
    public IpAddress addressAt(long offset) {
      return BlockAllocator.this.addressAt(offset);
    }

    @Override
    public String toString() {
      return "candidates of block " + block;
    }
  }

  private long scan(long from, long to, long nowMillis) {
    long f = used.nextFree(from, to);
    while (f != -1 && (f == reservedLow || f == reservedHigh || isCooling(f, nowMillis))) {
      f = f == to ? -1 : used.nextFree(f + 1, to);
    }
    return f;
  }

  private boolean isCooling(long offset, long nowMillis) {
    if (cooldownMillis == 0 || coolingSince.isEmpty()) {
      return false;
    }
    Long t = coolingSince.get(offset);
    return t != null && t + cooldownMillis > nowMillis;
  }

  /**
   * Takes a specific address (preferred, gateway, aux), inside or outside the ip-range. Returns
   * false if it is already used.
   *
   * @throws IllegalArgumentException if it is outside the block or reserved
   */
  public boolean take(IpAddress a) {
    if (!block.contains(a)) {
      throw new IllegalArgumentException(a + " is not inside block " + block);
    }
    long o = block.offsetOf(a);
    if (o == reservedLow || o == reservedHigh || o == -1L) {
      throw new IllegalArgumentException(a + " is reserved in pool " + pool);
    }
    if (!used.add(o)) {
      return false;
    }
    coolingSince.remove(o);
    return true;
  }

  /** Frees an address; returns false if it was not used. Starts its cooldown. */
  public boolean release(IpAddress a, long nowMillis) {
    if (!block.contains(a)) {
      return false;
    }
    long o = block.offsetOf(a);
    if (o == -1L || !used.remove(o)) {
      return false;
    }
    if (cooldownMillis > 0) {
      coolingSince.put(o, nowMillis);
    }
    return true;
  }
}
