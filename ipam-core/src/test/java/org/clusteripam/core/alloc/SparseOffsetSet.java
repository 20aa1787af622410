package org.clusteripam.core.alloc;

import java.util.Map;
import java.util.TreeMap;

/**
 * Used offsets of a huge range (an IPv6 /64 holds 2^64), in 512-offset chunks. A chunk with few
 * used offsets keeps them as primitive longs in a paged sorted set (~8-16 bytes each, for scattered
 * addresses); a busier chunk becomes a bitmap; runs of full chunks collapse to one interval. Memory
 * grows with the allocations (and shrinks as dense runs fill up), never with the size of the range.
 */
public final class SparseOffsetSet implements OffsetSet {
  static final int CHUNK_BITS = 9;
  static final int CHUNK = 1 << CHUNK_BITS;
  private static final int WORDS = CHUNK / 64;

  /** The highest offset (unsigned, inclusive). */
  private final long last;

  private final long lastChunk;

  /** Partly used chunks: chunk index → bits. */
  private final TreeMap<Long, long[]> partial = new TreeMap<>();

  /** Runs of full chunks: first chunk index → last chunk index (inclusive), never adjacent. */
  private final TreeMap<Long, Long> fullRuns = new TreeMap<>();

  /** Used offsets of chunks with fewer than {@link #LOOSE_MAX} of them (and no bitmap, no run). */
  private final LongSortedSet loose = new LongSortedSet();

  private final boolean[] found = new boolean[1];
  private long count;
  static final int LOOSE_MAX = 16;
  static final int LOOSE_MIN = 8;

  /** Offsets {@code 0..capacity-1}; capacity at least 1. */
  public SparseOffsetSet(long capacity) {
    this(capacity - 1, true);
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
  }

  private SparseOffsetSet(long last, boolean unused) {
    this.last = last;
    this.lastChunk = last >>> CHUNK_BITS;
  }

  /**
   * Offsets {@code 0..last}, {@code last} unsigned (up to 2^64-2: an IPv6 /64 minus its all-ones).
   */
  public static SparseOffsetSet ofLast(long last) {
    if (last == -1L) {
      throw new IllegalArgumentException("the all-ones offset cannot be stored");
    }
    return new SparseOffsetSet(last, true);
  }

  @Override
  public long capacity() {
    return last + 1;
  }

  @Override
  public long count() {
    return count;
  }

  /** Number of partly used chunks and of full runs held: the memory actually used. */
  public long storedChunks() {
    return partial.size() + fullRuns.size() + loose.pageCount();
  }

  private long chunkEnd(long c) {
    return c == lastChunk ? last : (c << CHUNK_BITS) + CHUNK - 1;
  }

  /** Loose offsets stored for chunk {@code c}, in order (at most LOOSE_MAX). */
  private long[] looseOf(long c) {
    long[] out = new long[LOOSE_MAX + 1];
    int n = 0;
    long end = chunkEnd(c);
    long v = loose.ceiling(c << CHUNK_BITS, found);
    while (found[0] && Long.compareUnsigned(v, end) <= 0 && n < out.length) {
      out[n++] = v;
      if (v == end) {
        break;
      }
      v = loose.ceiling(v + 1, found);
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private boolean inFullRun(long chunk) {
    Map.Entry<Long, Long> e = fullRuns.floorEntry(chunk);
    return e != null && e.getValue() >= chunk;
  }

  /** Offsets held by chunk {@code c} (the last chunk may be short). */
  private long chunkSize(long c) {
    return c == lastChunk ? last - (c << CHUNK_BITS) + 1 : CHUNK;
  }

  @Override
  public boolean contains(long offset) {
    if (Long.compareUnsigned(offset, last) > 0) {
      throw new IndexOutOfBoundsException(
          "offset " + Long.toUnsignedString(offset) + " outside 0.." + Long.toUnsignedString(last));
    }
    long c = offset >>> CHUNK_BITS;
    long[] bits = partial.get(c);
    if (bits != null) {
      int i = (int) (offset & (CHUNK - 1));
      return (bits[i >>> 6] & (1L << i)) != 0;
    }
    return inFullRun(c) || loose.contains(offset);
  }

  @Override
  public boolean add(long offset) {
    if (contains(offset)) {
      return false;
    }
    long c = offset >>> CHUNK_BITS;
    count++;
    long[] bits = partial.get(c);
    if (bits == null) {
      loose.add(offset);
      long[] mine = looseOf(c);
      if (mine.length < LOOSE_MAX && mine.length < chunkSize(c)) {
        return true;
      }
      // Busy enough for a bitmap (or already full): move the chunk out of the loose set.
      bits = new long[WORDS];
      for (long v : mine) {
        loose.remove(v);
        int i = (int) (v & (CHUNK - 1));
        bits[i >>> 6] |= 1L << i;
      }
      partial.put(c, bits);
    } else {
      int i = (int) (offset & (CHUNK - 1));
      bits[i >>> 6] |= 1L << i;
    }
    if (popCount(bits) == chunkSize(c)) {
      partial.remove(c);
      addFullChunk(c);
    }
    return true;
  }

  @Override
  public boolean remove(long offset) {
    if (!contains(offset)) {
      return false;
    }
    count--;
    if (loose.remove(offset)) {
      return true;
    }
    long c = offset >>> CHUNK_BITS;
    long[] bits = partial.get(c);
    if (bits == null) {
      removeFullChunk(c);
      bits = new long[WORDS];
      long size = chunkSize(c);
      for (int w = 0; w < WORDS && (long) w << 6 < size; w++) {
        long inWord = Math.min(64, size - ((long) w << 6));
        bits[w] = inWord == 64 ? -1L : (1L << inWord) - 1;
      }
      partial.put(c, bits);
    }
    int i = (int) (offset & (CHUNK - 1));
    bits[i >>> 6] &= ~(1L << i);
    int left = popCount(bits);
    if (left < LOOSE_MIN) {
      // Few offsets left: keep them as loose longs rather than a bitmap.
      partial.remove(c);
      for (int w = 0; w < WORDS; w++) {
        for (long word = bits[w]; word != 0; word &= word - 1) {
          loose.add((c << CHUNK_BITS) + ((long) w << 6) + Long.numberOfTrailingZeros(word));
        }
      }
    }
    return true;
  }

  private static int popCount(long[] bits) {
    int n = 0;
    for (long w : bits) {
      n += Long.bitCount(w);
    }
    return n;
  }

  private void addFullChunk(long c) {
    long start = c;
    long end = c;
    Map.Entry<Long, Long> before = fullRuns.floorEntry(c - 1);
    if (before != null && before.getValue() == c - 1) {
      start = before.getKey();
    }
    Long after = fullRuns.get(c + 1);
    if (after != null) {
      end = after;
      fullRuns.remove(c + 1);
    }
    fullRuns.put(start, end);
  }

  private void removeFullChunk(long c) {
    Map.Entry<Long, Long> run = fullRuns.floorEntry(c);
    long start = run.getKey();
    long end = run.getValue();
    fullRuns.remove(start);
    if (start < c) {
      fullRuns.put(start, c - 1);
    }
    if (c < end) {
      fullRuns.put(c + 1, end);
    }
  }

  @Override
  public long nextFree(long from) {
    while (Long.compareUnsigned(from, last) <= 0) {
      long c = from >>> CHUNK_BITS;
      Map.Entry<Long, Long> run = fullRuns.floorEntry(c);
      if (run != null && run.getValue() >= c) {
        if (run.getValue() >= lastChunk) {
          return -1;
        }
        from = (run.getValue() + 1) << CHUNK_BITS;
        continue;
      }
      long[] bits = partial.get(c);
      if (bits == null) {
        // Only loose offsets (if any) in this chunk: walk past consecutive used ones.
        long end = chunkEnd(c);
        long cand = from;
        long v = loose.ceiling(cand, found);
        while (found[0] && v == cand) {
          if (cand == end) {
            break;
          }
          cand++;
          v = loose.ceiling(cand, found);
        }
        if (!(found[0] && v == cand)) {
          return cand;
        }
        if (c >= lastChunk) {
          return -1;
        }
        from = (c + 1) << CHUNK_BITS;
        continue;
      }
      for (int i = (int) (from & (CHUNK - 1)), w = i >>> 6; w < WORDS; w++) {
        long free = ~bits[w] & (w == i >>> 6 ? -1L << i : -1L);
        if (free != 0) {
          long r = (c << CHUNK_BITS) + ((long) w << 6) + Long.numberOfTrailingZeros(free);
          return Long.compareUnsigned(r, last) <= 0 ? r : -1;
        }
      }
      if (c >= lastChunk) {
        return -1;
      }
      from = (c + 1) << CHUNK_BITS;
    }
    return -1;
  }

  @Override
  public long nextUsed(long from) {
    if (Long.compareUnsigned(from, last) > 0) {
      return -1;
    }
    long dense = nextUsedDense(from);
    long l = loose.ceiling(from, found);
    if (!found[0]) {
      return dense;
    }
    return dense == -1 || Long.compareUnsigned(l, dense) < 0 ? l : dense;
  }

  /** nextUsed over bitmaps and full runs only. */
  private long nextUsedDense(long from) {
    long c = from >>> CHUNK_BITS;
    if (inFullRun(c)) {
      return from;
    }
    long bestChunk = -1; // first full run after c, as a chunk index (chunk indices are below 2^55)
    Map.Entry<Long, Long> run = fullRuns.higherEntry(c);
    if (run != null) {
      bestChunk = run.getKey();
    }
    for (Map.Entry<Long, long[]> e : partial.tailMap(c, true).entrySet()) {
      if (bestChunk >= 0 && e.getKey() >= bestChunk) {
        break;
      }
      long[] bits = e.getValue();
      int start = e.getKey() == c ? (int) (from & (CHUNK - 1)) : 0;
      for (int w = start >>> 6; w < WORDS; w++) {
        long used = bits[w] & (w == start >>> 6 ? -1L << start : -1L);
        if (used != 0) {
          return (e.getKey() << CHUNK_BITS) + ((long) w << 6) + Long.numberOfTrailingZeros(used);
        }
      }
    }
    return bestChunk >= 0 ? bestChunk << CHUNK_BITS : -1;
  }
}
