package org.clusteripam.daemon.map;

/**
 * An axis-aligned rectangle in map units (the unit square is a whole prefix; y grows downwards).
 */
public record Rect(double x, double y, double w, double h) {
  public static final Rect UNIT = new Rect(0, 0, 1, 1);

  public double right() {
    return x + w;
  }

  public double bottom() {
    return y + h;
  }

  /** Whether {@code o} lies inside this rectangle (edges may coincide). */
  public boolean contains(Rect o) {
    return o.x >= x && o.y >= y && o.right() <= right() && o.bottom() <= bottom();
  }

  /** Whether the interiors intersect (touching edges do not count). */
  public boolean overlaps(Rect o) {
    return o.x < right() && x < o.right() && o.y < bottom() && y < o.bottom();
  }

  /**
   * Whether the two share a stretch of edge of positive length (so a reader sees them as
   * neighbours).
   */
  public boolean sharesEdge(Rect o) {
    boolean vertical =
        (right() == o.x || o.right() == x) && Math.min(bottom(), o.bottom()) > Math.max(y, o.y);
    boolean horizontal =
        (bottom() == o.y || o.bottom() == y) && Math.min(right(), o.right()) > Math.max(x, o.x);
    return vertical || horizontal;
  }

  /** This rectangle, given in units of {@code outer}, mapped into {@code outer}'s own space. */
  public Rect within(Rect outer) {
    return new Rect(outer.x + x * outer.w, outer.y + y * outer.h, w * outer.w, h * outer.h);
  }
}
