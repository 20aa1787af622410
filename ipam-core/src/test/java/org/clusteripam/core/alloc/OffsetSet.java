package org.clusteripam.core.alloc;

/**
 * A set of used offsets {@code 0..last} inside an address block, with fast "lowest free at or
 * after" search. Offsets are unsigned 64-bit values (an IPv6 /64 block has offsets up to 2^64-2;
 * the all-ones offset is never stored, so -1 can mean "none"). Two shapes: {@link DenseOffsetSet}
 * (a hierarchical bitmap, for blocks up to 2^24 addresses) and {@link SparseOffsetSet} (memory
 * grows with the allocations, never with the range, for IPv6 ranges of any size).
 */
public sealed interface OffsetSet permits DenseOffsetSet, SparseOffsetSet {

  /** Largest capacity served by the dense bitmap (2 MiB of bits); above it the sparse set. */
  long DENSE_LIMIT = 1L << 24;

  /** The right shape for {@code capacity} offsets (capacity may be up to 2^63-1). */
  static OffsetSet forCapacity(long capacity) {
    return capacity <= DENSE_LIMIT
        ? new DenseOffsetSet((int) capacity)
        : new SparseOffsetSet(capacity);
  }

  /** The right shape for offsets {@code 0..last}, {@code last} unsigned and below 2^64-1. */
  static OffsetSet forLastOffset(long last) {
    if (last == -1L) {
      throw new IllegalArgumentException("the all-ones offset cannot be stored");
    }
    return Long.compareUnsigned(last, DENSE_LIMIT - 1) <= 0
        ? new DenseOffsetSet((int) last + 1)
        : SparseOffsetSet.ofLast(last);
  }

  /** Number of offsets (unsigned: 2^64-1 for a /64 block reads as -1). */
  long capacity();

  /** Number of used offsets. */
  long count();

  boolean contains(long offset);

  /** Marks {@code offset} used; returns false if it already was. */
  boolean add(long offset);

  /** Marks {@code offset} free; returns false if it already was. */
  boolean remove(long offset);

  /**
   * The lowest free offset {@code >= from} (unsigned), or -1 if every offset from there on is used.
   */
  long nextFree(long from);

  /** The lowest free offset in {@code [from, to]} (inclusive, unsigned), or -1. */
  default long nextFree(long from, long to) {
    if (Long.compareUnsigned(from, to) > 0) {
      return -1;
    }
    long f = nextFree(from);
    return f != -1 && Long.compareUnsigned(f, to) <= 0 ? f : -1;
  }

  /** The lowest used offset {@code >= from} (unsigned), or -1. */
  long nextUsed(long from);

  static void checkOffset(long offset, long capacity) {
    if (Long.compareUnsigned(offset, capacity) >= 0) {
      throw new IndexOutOfBoundsException(
          "offset "
              + Long.toUnsignedString(offset)
              + " outside 0.."
              + Long.toUnsignedString(capacity - 1));
    }
  }
}
