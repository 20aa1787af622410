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
 * <p>Mutable and single-threaded: the engine builds one from a stored block inside a transaction,
 * applies one operation and writes the result back.
 */
public final class BlockAllocator {
  private final IpPrefix pool;
  private final IpPrefix block;
  private final OffsetSet used;
  /** Dynamic picks stay within [dynFirst, dynLast] (block ∩ ip-range); -1/-2 when empty. */
  private final long dynFirst;
  private final long dynLast;
  private final long reservedLow;
  private final long reservedHigh;
  private final TreeMap<Long, Long> coolingSince = new TreeMap<>();
  private final long cooldownMillis;
  private long serialCursor;

  /**
   * @param ipRange the pool's {@code --ip-range}, restricting dynamic picks only
   * @param cooldownMillis how long a released address is not handed out dynamically (0: never)
   */
  public BlockAllocator(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange, long cooldownMillis) {
    if (!pool.contains(block)) {
      throw new IllegalArgumentException("block " + block + " is not inside pool " + pool);
    }
    if (block.hostBits() > 62) {
      throw new IllegalArgumentException("block " + block + " is too large (at most 2^62 addresses)");
    }
    this.pool = pool;
    this.block = block;
    this.used = OffsetSet.forCapacity(block.sizeAsLong());
    this.cooldownMillis = Math.max(0, cooldownMillis);
    long first = 0;
    long last = block.sizeAsLong() - 1;
    if (ipRange.isPresent()) {
      IpPrefix r = ipRange.get();
      if (r.contains(block)) {
        // whole block usable
      } else if (block.contains(r)) {
        first = block.offsetOf(r.first());
        last = block.offsetOf(r.last());
      } else {
        first = -1;
        last = -2;
      }
    }
    this.dynFirst = first;
    this.dynLast = last;
    this.reservedLow = reservedOffset(pool.first());
    this.reservedHigh = pool.family() == IpFamily.IPV4 ? reservedOffset(pool.last()) : -1;
  }

  private long reservedOffset(IpAddress a) {
    boolean reserves = pool.hostBits() >= 2;
    return reserves && block.contains(a) ? block.offsetOf(a) : -1;
  }

  /** True for the pool's network (and IPv4 broadcast) address, never handed out. */
  public static boolean isReserved(IpPrefix pool, IpAddress a) {
    if (pool.hostBits() < 2) {
      return false;
    }
    return a.equals(pool.first()) || (pool.family() == IpFamily.IPV4 && a.equals(pool.last()));
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

  /** Addresses a dynamic pick may still return, ignoring cooldown. */
  public long dynamicFree() {
    if (dynFirst < 0) {
      return 0;
    }
    long n = dynLast - dynFirst + 1;
    for (long o = used.nextUsed(dynFirst); o >= 0 && o <= dynLast; o = used.nextUsed(o + 1)) {
      n--;
    }
    if (reservedLow >= dynFirst && reservedLow <= dynLast && !used.contains(reservedLow)) {
      n--;
    }
    if (reservedHigh >= dynFirst && reservedHigh <= dynLast && !used.contains(reservedHigh)) {
      n--;
    }
    return n;
  }

  /** Cooldown entries still in force at {@code nowMillis} (expired ones are dropped). */
  public Map<IpAddress, Long> cooling(long nowMillis) {
    TreeMap<IpAddress, Long> out = new TreeMap<>();
    coolingSince.forEach((o, t) -> {
      if (t + cooldownMillis > nowMillis) {
        out.put(block.addressAt(o), t);
      }
    });
    return out;
  }

  /**
   * Hands out a free address: the lowest one, or with {@code serial} the first after the last one
   * handed out, wrapping. Skips reserved addresses and those still cooling down.
   */
  public Optional<IpAddress> allocate(boolean serial, long nowMillis) {
    if (dynFirst < 0) {
      return Optional.empty();
    }
    long start = serial ? Math.max(dynFirst, Math.min(serialCursor, dynLast + 1)) : dynFirst;
    long pick = scan(start, dynLast, nowMillis);
    if (pick < 0 && serial && start > dynFirst) {
      pick = scan(dynFirst, start - 1, nowMillis);
    }
    if (pick < 0) {
      return Optional.empty();
    }
    used.add(pick);
    coolingSince.remove(pick);
    serialCursor = pick + 1;
    return Optional.of(block.addressAt(pick));
  }

  private long scan(long from, long to, long nowMillis) {
    long f = used.nextFree(from, to);
    while (f >= 0 && (f == reservedLow || f == reservedHigh || isCooling(f, nowMillis))) {
      f = used.nextFree(f + 1, to);
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
    if (o == reservedLow || o == reservedHigh) {
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
    if (!used.remove(o)) {
      return false;
    }
    if (cooldownMillis > 0) {
      coolingSince.put(o, nowMillis);
    }
    return true;
  }
}
