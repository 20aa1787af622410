package org.clusteripam.core.alloc;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import org.clusteripam.core.ipam.Holder;

/**
 * The deterministic order in which one host tries the blocks of a pool: an affine permutation
 * {@code i -> (a*i + b) mod 2^k} of the 2^k block indices, with {@code a} (odd) and {@code b}
 * derived from a stable hash of the host id. Different hosts start in different places and step
 * differently, so concurrent claims collide less (Calico seeds its block order the same way); the
 * same host always gets the same order, across restarts and versions.
 */
public final class BlockOrder {
  private final long a;
  private final long aInverse;
  private final long b;
  private final long mask;
  private final long count;

  private BlockOrder(long seed, long seed2, int bits) {
    if (bits < 0 || bits > 62) {
      throw new IllegalArgumentException("block count 2^" + bits + " out of range");
    }
    this.count = 1L << bits;
    this.mask = count - 1;
    this.a = (seed | 1L);
    this.aInverse = inverse(a);
    this.b = seed2;
  }

  /** The order of {@code 2^bits} blocks for {@code holder} (a host id or a space holder). */
  public static BlockOrder forHolder(Holder holder, int bits) {
    byte[] h =
        Hashing.murmur3_128(0x1ba1).hashString(holder.format(), StandardCharsets.UTF_8).asBytes();
    long s1 = 0;
    long s2 = 0;
    for (int i = 0; i < 8; i++) {
      s1 = (s1 << 8) | (h[i] & 0xff);
      s2 = (s2 << 8) | (h[i + 8] & 0xff);
    }
    return new BlockOrder(s1, s2, bits);
  }

  /** Number of blocks permuted. */
  public long count() {
    return count;
  }

  /** The block index tried {@code i}-th (0-based); a bijection of {@code [0, count)}. */
  public long indexAt(long i) {
    return (a * i + b) & mask;
  }

  /** Where block {@code index} comes in this order: the inverse of {@link #indexAt}. */
  public long positionOf(long index) {
    return (aInverse * (index - b)) & mask;
  }

  /**
   * The inverse of an odd {@code a} modulo 2^64 (Newton's iteration doubles the bits each step).
   */
  private static long inverse(long a) {
    long x = a; // correct to 3 bits for any odd a
    for (int i = 0; i < 5; i++) {
      x *= 2 - a * x;
    }
    return x;
  }
}
