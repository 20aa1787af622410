package org.clusteripam.core.alloc;

/**
 * A hierarchical bitmap: level 0 holds one bit per offset; each upper level holds one bit per word
 * of the level below, set when that word is full. Finding the lowest free offset after any point
 * costs O(log64 n) word reads. A full /16 costs 8 KiB plus 136 bytes of summary.
 */
public final class DenseOffsetSet implements OffsetSet {
  private final int capacity;

  /** levels[0] is the bitmap; levels[top] has a single word. Padding bits are set (never free). */
  private final long[][] levels;

  private long count;

  public DenseOffsetSet(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("negative capacity " + capacity);
    }
    this.capacity = capacity;
    int depth = 1;
    for (long bits = capacity; bits > 64; bits = (bits + 63) >>> 6) {
      depth++;
    }
    levels = new long[depth][];
    long bits = Math.max(capacity, 1);
    for (int l = 0; l < depth; l++) {
      int words = (int) ((bits + 63) >>> 6);
      levels[l] = new long[words];
      // Bits past the end of a level are permanently "used" so fullness propagates correctly.
      long valid = l == 0 ? capacity : bits;
      for (long b = valid; b < (long) words * 64; b++) {
        setBit(l, b);
      }
      bits = words;
    }
  }

  private void setBit(int level, long bit) {
    long[] a = levels[level];
    int w = (int) (bit >>> 6);
    long before = a[w];
    long after = before | (1L << bit);
    a[w] = after;
    if (after == -1L && before != -1L && level + 1 < levels.length) {
      setBit(level + 1, w);
    }
  }

  private void clearBit(int level, long bit) {
    long[] a = levels[level];
    int w = (int) (bit >>> 6);
    long before = a[w];
    a[w] = before & ~(1L << bit);
    if (before == -1L && level + 1 < levels.length) {
      clearBit(level + 1, w);
    }
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public long count() {
    return count;
  }

  @Override
  public boolean contains(long offset) {
    OffsetSet.checkOffset(offset, capacity);
    return (levels[0][(int) (offset >>> 6)] & (1L << offset)) != 0;
  }

  @Override
  public boolean add(long offset) {
    if (contains(offset)) {
      return false;
    }
    setBit(0, offset);
    count++;
    return true;
  }

  @Override
  public boolean remove(long offset) {
    if (!contains(offset)) {
      return false;
    }
    clearBit(0, offset);
    count--;
    return true;
  }

  @Override
  public long nextFree(long from) {
    if (from < 0 || from >= capacity) {
      return -1; // negative offsets are huge unsigned ones
    }
    long r = nextClear(0, from);
    return r < capacity ? r : -1;
  }

  /** Lowest clear bit at {@code level} at or after {@code pos}, or -1. */
  private long nextClear(int level, long pos) {
    long[] a = levels[level];
    int w = (int) (pos >>> 6);
    if (w >= a.length) {
      return -1;
    }
    long word = ~a[w] & (-1L << pos);
    if (word != 0) {
      return ((long) w << 6) + Long.numberOfTrailingZeros(word);
    }
    long nw;
    if (level + 1 < levels.length) {
      nw = nextClear(level + 1, w + 1L);
    } else {
      nw = -1;
      for (int i = w + 1; i < a.length; i++) {
        if (a[i] != -1L) {
          nw = i;
          break;
        }
      }
    }
    if (nw < 0 || nw >= a.length) {
      return -1;
    }
    return (nw << 6) + Long.numberOfTrailingZeros(~a[(int) nw]);
  }

  @Override
  public long nextUsed(long from) {
    if (from < 0) {
      return -1;
    }
    long[] a = levels[0];
    for (int w = (int) (from >>> 6); w < a.length; w++) {
      long word = a[w] & (w == (int) (from >>> 6) ? -1L << from : -1L);
      if (word != 0) {
        long r = ((long) w << 6) + Long.numberOfTrailingZeros(word);
        return r < capacity ? r : -1;
      }
    }
    return -1;
  }
}
