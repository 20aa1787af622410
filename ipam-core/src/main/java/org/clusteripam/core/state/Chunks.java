package org.clusteripam.core.state;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The chunked form of a large {@link Block}: its summary (which chunks exist, how many allocations
 * and cooling entries each holds) and the chunks' contents, read one by one through a function the
 * engine gives ({@link Block#reading}), so an operation reads only the chunks it needs. A chunk is
 * a flat block of the same shape holding only the offsets {@code [i·128, i·128 + 127]}.
 *
 * <p>Invariant kept by every write (the summary and the chunks it changes go in one transaction): a
 * chunk key exists exactly when the summary lists it, with the counts it holds. So a read of the
 * summary covers the chunks it says are absent or full, and two writers of different chunks that
 * both change the summary conflict on it.
 */
final class Chunks {
  static final int BITS = 7;
  static final long SIZE = 1L << BITS;

  /**
   * A flat block with more chunks than this is written as one value (converting it would exceed a
   * transaction's writes).
   */
  static final int MAX_CONVERSION = 64;

  final String keyPrefix;

  /**
   * Chunk indexes, ascending unsigned; entries with no allocation and no cooling entry are
   * deletions still to write.
   */
  final long[] idx;

  final int[] used;
  final int[] cool;

  /**
   * Per chunk: the bytes it was read or written as, with their decoding (a memo; null when unknown
   * or changed).
   */
  final byte[][] stored;

  final Block[] memo;

  /**
   * Per chunk: its content as verified in this instance's transaction, or changed by it (null: not
   * read yet).
   */
  final Block[] live;

  /**
   * Per chunk: the bytes {@code live} was read from in this instance's transaction (null: changed
   * or not read).
   */
  final byte[][] liveBytes;

  final boolean[] dirty;

  /** The summary bytes this block was read or written as (null for a new block). */
  final byte[] storedSummary;

  final Function<String, Optional<byte[]>> reader;
  final int total;

  Chunks(
      String keyPrefix,
      long[] idx,
      int[] used,
      int[] cool,
      byte[][] stored,
      Block[] memo,
      Block[] live,
      byte[][] liveBytes,
      boolean[] dirty,
      byte[] storedSummary,
      Function<String, Optional<byte[]>> reader) {
    this.keyPrefix = keyPrefix;
    this.idx = idx;
    this.used = used;
    this.cool = cool;
    this.stored = stored;
    this.memo = memo;
    this.live = live;
    this.liveBytes = liveBytes;
    this.dirty = dirty;
    this.storedSummary = storedSummary;
    this.reader = reader;
    int t = 0;
    for (int u : used) {
      t += u;
    }
    this.total = t;
  }

  static Chunks none(String keyPrefix) {
    return new Chunks(
        keyPrefix,
        new long[0],
        new int[0],
        new int[0],
        new byte[0][],
        new Block[0],
        new Block[0],
        new byte[0][],
        new boolean[0],
        null,
        null);
  }

  int count() {
    return idx.length;
  }

  String key(int i) {
    return keyPrefix + Long.toUnsignedString(idx[i]);
  }

  /** The position of chunk {@code c}, or -(insertion point) - 1. */
  int find(long c) {
    int lo = 0;
    int hi = idx.length - 1;
    while (lo <= hi) {
      int m = (lo + hi) >>> 1;
      int x = Long.compareUnsigned(idx[m], c);
      if (x < 0) {
        lo = m + 1;
      } else if (x > 0) {
        hi = m - 1;
      } else {
        return m;
      }
    }
    return -lo - 1;
  }

  /**
   * This form bound to {@code r} for the chunks not read yet (the memo stays; each use of it is
   * re-verified by a read).
   */
  Chunks reading(Function<String, Optional<byte[]>> r) {
    return new Chunks(
        keyPrefix,
        idx,
        used,
        cool,
        stored,
        memo,
        new Block[idx.length],
        new byte[idx.length][],
        dirty,
        storedSummary,
        r);
  }

  /**
   * The content of chunk {@code i}: read (tracked by the engine's reader), checked against the
   * summary's counts.
   */
  Block load(int i, Block.Shape shape) {
    Block b = live[i];
    if (b != null) {
      return b;
    }
    String key = key(i);
    if (reader == null) {
      throw new IllegalStateException(
          "chunked block " + shape.block() + " read without its chunks (" + key + ")");
    }
    byte[] bytes =
        reader
            .apply(key)
            .orElseThrow(
                () -> new StoreCorruptException(key, "chunk listed by its block is missing", null));
    if (memo[i] != null && Arrays.equals(stored[i], bytes)) {
      b = memo[i];
    } else {
      b = BlockCodec.decodeChunk(key, bytes, shape, idx[i]);
    }
    if (b.size() != used[i] || b.coolingCount() != cool[i]) {
      throw new StoreCorruptException(
          key,
          "chunk holds "
              + b.size()
              + " allocations and "
              + b.coolingCount()
              + " cooling entries, its block says "
              + used[i]
              + " and "
              + cool[i],
          null);
    }
    live[i] = b;
    liveBytes[i] = bytes;
    return b;
  }

  /**
   * This form with chunk {@code c} replaced by {@code content} (a flat block holding only that
   * chunk's offsets).
   */
  Chunks with(long c, Block content) {
    int at = find(c);
    int n = idx.length;
    int p = at >= 0 ? at : -at - 1;
    int m = at >= 0 ? n : n + 1;
    long[] ni = new long[m];
    int[] nu = new int[m];
    int[] nc = new int[m];
    byte[][] ns = new byte[m][];
    Block[] nm = new Block[m];
    Block[] nl = new Block[m];
    byte[][] nb = new byte[m][];
    boolean[] nd = new boolean[m];
    int skip = at >= 0 ? 1 : 0;
    System.arraycopy(idx, 0, ni, 0, p);
    System.arraycopy(used, 0, nu, 0, p);
    System.arraycopy(cool, 0, nc, 0, p);
    System.arraycopy(stored, 0, ns, 0, p);
    System.arraycopy(memo, 0, nm, 0, p);
    System.arraycopy(live, 0, nl, 0, p);
    System.arraycopy(liveBytes, 0, nb, 0, p);
    System.arraycopy(dirty, 0, nd, 0, p);
    System.arraycopy(idx, p + skip, ni, p + 1, n - p - skip);
    System.arraycopy(used, p + skip, nu, p + 1, n - p - skip);
    System.arraycopy(cool, p + skip, nc, p + 1, n - p - skip);
    System.arraycopy(stored, p + skip, ns, p + 1, n - p - skip);
    System.arraycopy(memo, p + skip, nm, p + 1, n - p - skip);
    System.arraycopy(live, p + skip, nl, p + 1, n - p - skip);
    System.arraycopy(liveBytes, p + skip, nb, p + 1, n - p - skip);
    System.arraycopy(dirty, p + skip, nd, p + 1, n - p - skip);
    ni[p] = c;
    nu[p] = content.size();
    nc[p] = content.coolingCount();
    nl[p] = content;
    nd[p] = true;
    return new Chunks(keyPrefix, ni, nu, nc, ns, nm, nl, nb, nd, storedSummary, reader);
  }

  boolean gone(int i) {
    return used[i] == 0 && cool[i] == 0;
  }
}
