package org.clusteripam.core.alloc;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sorted set of unsigned longs stored in pages of up to {@value #PAGE} sorted primitive values
 * (about 8-16 bytes per element, versus ~80 for a TreeSet of boxed longs). Used by {@link
 * SparseOffsetSet} for scattered offsets.
 */
final class LongSortedSet {
  static final int PAGE = 512;

  /** Pages keyed by their first element (keys are unsigned offsets; flipped to sort as signed). */
  private final TreeMap<Long, long[]> pages = new TreeMap<>();

  private final TreeMap<Long, Integer> sizes = new TreeMap<>();
  private long size;

  private static long key(long unsigned) {
    return unsigned ^ Long.MIN_VALUE;
  }

  long size() {
    return size;
  }

  int pageCount() {
    return pages.size();
  }

  boolean contains(long v) {
    Map.Entry<Long, long[]> e = pages.floorEntry(key(v));
    return e != null && search(e.getValue(), sizes.get(e.getKey()), v) >= 0;
  }

  /** The smallest element {@code >= v} (unsigned), or -1 with {@code found[0] = false}. */
  long ceiling(long v, boolean[] found) {
    Map.Entry<Long, long[]> e = pages.floorEntry(key(v));
    if (e != null) {
      int n = sizes.get(e.getKey());
      int i = search(e.getValue(), n, v);
      int at = i >= 0 ? i : -i - 1;
      if (at < n) {
        found[0] = true;
        return e.getValue()[at];
      }
    }
    Map.Entry<Long, long[]> next = pages.higherEntry(key(v));
    if (next == null) {
      found[0] = false;
      return -1;
    }
    found[0] = true;
    return next.getValue()[0];
  }

  boolean add(long v) {
    if (pages.isEmpty()) {
      long[] p = new long[16];
      p[0] = v;
      pages.put(key(v), p);
      sizes.put(key(v), 1);
      size++;
      return true;
    }
    Map.Entry<Long, long[]> e = pages.floorEntry(key(v));
    if (e == null) {
      e = pages.firstEntry(); // v becomes this page's new first element
    }
    long k = e.getKey();
    long[] p = e.getValue();
    int n = sizes.get(k);
    int i = search(p, n, v);
    if (i >= 0) {
      return false;
    }
    int at = -i - 1;
    if (n == p.length) {
      p = Arrays.copyOf(p, Math.min(PAGE, Math.max(16, p.length * 2)));
    }
    System.arraycopy(p, at, p, at + 1, n - at);
    p[at] = v;
    n++;
    size++;
    pages.remove(k);
    sizes.remove(k);
    if (n == PAGE) {
      int half = n / 2;
      put(Arrays.copyOf(p, half), half);
      put(Arrays.copyOfRange(p, half, n), n - half);
    } else {
      put(p, n);
    }
    return true;
  }

  boolean remove(long v) {
    Map.Entry<Long, long[]> e = pages.floorEntry(key(v));
    if (e == null) {
      return false;
    }
    long k = e.getKey();
    long[] p = e.getValue();
    int n = sizes.get(k);
    int i = search(p, n, v);
    if (i < 0) {
      return false;
    }
    System.arraycopy(p, i + 1, p, i, n - i - 1);
    n--;
    size--;
    pages.remove(k);
    sizes.remove(k);
    if (n > 0) {
      put(n < p.length / 4 && p.length > 16 ? Arrays.copyOf(p, Math.max(16, p.length / 2)) : p, n);
    }
    return true;
  }

  private void put(long[] p, int n) {
    pages.put(key(p[0]), p);
    sizes.put(key(p[0]), n);
  }

  private static int search(long[] a, int n, long v) {
    int lo = 0;
    int hi = n - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(a[mid], v);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }
}
