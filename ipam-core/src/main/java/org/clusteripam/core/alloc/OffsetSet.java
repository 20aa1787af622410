package org.clusteripam.core.alloc;

/**
 * A set of used offsets {@code 0..capacity-1} inside an address block, with fast "lowest free at
 * or after" search. Two shapes: {@link DenseOffsetSet} (a hierarchical bitmap, for blocks up to
 * 2^24 addresses) and {@link SparseOffsetSet} (memory grows with the allocations, never with the
 * range, for IPv6 ranges of any size).
 */
public sealed interface OffsetSet permits DenseOffsetSet, SparseOffsetSet {

  /** Largest capacity served by the dense bitmap (2 MiB of bits); above it the sparse set. */
  long DENSE_LIMIT = 1L << 24;

  /** The right shape for {@code capacity} offsets (capacity may be up to 2^63-1). */
  static OffsetSet forCapacity(long capacity) {
    return capacity <= DENSE_LIMIT ? new DenseOffsetSet((int) capacity) : new SparseOffsetSet(capacity);
  }

  long capacity();

  /** Number of used offsets. */
  long count();

  boolean contains(long offset);

  /** Marks {@code offset} used; returns false if it already was. */
  boolean add(long offset);

  /** Marks {@code offset} free; returns false if it already was. */
  boolean remove(long offset);

  /** The lowest free offset {@code >= from}, or -1 if every offset from there on is used. */
  long nextFree(long from);

  /** The lowest free offset in {@code [from, to]} (inclusive), or -1. */
  default long nextFree(long from, long to) {
    if (from > to) {
      return -1;
    }
    long f = nextFree(from);
    return f >= 0 && f <= to ? f : -1;
  }

  /** The lowest used offset {@code >= from}, or -1. */
  long nextUsed(long from);

  static void checkOffset(long offset, long capacity) {
    if (offset < 0 || offset >= capacity) {
      throw new IndexOutOfBoundsException("offset " + offset + " outside 0.." + (capacity - 1));
    }
  }
}
