package org.clusteripam.daemon.map;

import java.math.BigInteger;
import org.clusteripam.core.net.IpPrefix;

/**
 * Places sub-prefixes inside a prefix's rectangle along a Hilbert curve, so that numerically
 * adjacent prefixes are neighbours on the map and every shorter prefix is one compact rectangle
 * holding all of its sub-prefixes.
 *
 * <p>A square of depth {@code 2m} is a {@code 2^m × 2^m} grid walked by the curve; an odd depth is
 * the union of the two cells its two halves get one level deeper (a half-square along the curve). A
 * 2:1 rectangle is two squares side by side, the lower half first (left, or top when tall). Depths
 * beyond {@link #MAX_DEPTH} are cut to it (the cell is then far below a pixel). Pure: no state, no
 * I/O.
 */
public final class HilbertLayout {
  /** The deepest level placed exactly: cells of 2^-30 of the side, exact in doubles. */
  public static final int MAX_DEPTH = 60;

  private HilbertLayout() {}

  /**
   * The rectangle of the sub-prefix number {@code index} of depth {@code depth} inside {@code
   * outer}.
   */
  public static Rect place(Rect outer, int depth, long index) {
    if (depth < 0 || depth > 63 || (depth < 63 && (index < 0 || index >>> depth != 0))) {
      throw new IllegalArgumentException("index " + index + " out of range for depth " + depth);
    }
    if (depth > MAX_DEPTH) {
      index >>>= depth - MAX_DEPTH;
      depth = MAX_DEPTH;
    }
    if (depth == 0) {
      return outer;
    }
    if (outer.h() > outer.w() * 1.5) {
      // Tall: the wide layout mirrored on the diagonal, so the curve still runs from half to half.
      return transpose(place(transpose(outer), depth, index));
    }
    if (outer.w() > outer.h() * 1.5) {
      boolean upper = (index >>> (depth - 1)) == 1;
      Rect half =
          new Rect(outer.x() + (upper ? outer.w() / 2 : 0), outer.y(), outer.w() / 2, outer.h());
      return place(half, depth - 1, index & ((1L << (depth - 1)) - 1));
    }
    if (depth % 2 == 0) {
      return cell(depth / 2, index).within(outer);
    }
    Rect a = cell((depth + 1) / 2, index << 1);
    Rect b = cell((depth + 1) / 2, (index << 1) | 1);
    double x = Math.min(a.x(), b.x());
    double y = Math.min(a.y(), b.y());
    return new Rect(x, y, Math.max(a.right(), b.right()) - x, Math.max(a.bottom(), b.bottom()) - y)
        .within(outer);
  }

  /** Where {@code child} (inside {@code parent}) lies when {@code parent} fills {@code outer}. */
  public static Rect place(Rect outer, IpPrefix parent, IpPrefix child) {
    if (!parent.contains(child)) {
      throw new IllegalArgumentException(child + " is not inside " + parent);
    }
    int depth = child.length() - parent.length();
    BigInteger offset =
        child
            .network()
            .toBigInteger()
            .subtract(parent.network().toBigInteger())
            .shiftRight(child.hostBits());
    if (depth > MAX_DEPTH) {
      offset = offset.shiftRight(depth - MAX_DEPTH);
      depth = MAX_DEPTH;
    }
    return place(outer, depth, offset.longValueExact());
  }

  private static Rect transpose(Rect r) {
    return new Rect(r.y(), r.x(), r.h(), r.w());
  }

  /** Cell {@code d} of the Hilbert curve on a {@code 2^order}-wide grid, in unit coordinates. */
  static Rect cell(int order, long d) {
    long n = 1L << order;
    long x = 0;
    long y = 0;
    long t = d;
    for (long s = 1; s < n; s <<= 1) {
      long rx = 1 & (t >>> 1);
      long ry = 1 & (t ^ rx);
      if (ry == 0) {
        if (rx == 1) {
          x = s - 1 - x;
          y = s - 1 - y;
        }
        long swap = x;
        x = y;
        y = swap;
      }
      x += s * rx;
      y += s * ry;
      t >>>= 2;
    }
    double side = 1.0 / n;
    return new Rect(x * side, y * side, side, side);
  }
}
