package org.clusteripam.daemon.map;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

/**
 * The map's geometry: sub-prefixes tile their parent, never overlap, nest, and neighbours on the
 * number line touch.
 */
class HilbertLayoutProperties {
  /**
   * A square (a prefix of even depth below its tile) or a 2:1 rectangle (odd depth), both ways
   * round.
   */
  @Provide
  Arbitrary<Rect> outers() {
    return Arbitraries.of(
        Rect.UNIT,
        new Rect(0, 0, 2, 1),
        new Rect(0, 0, 1, 2),
        new Rect(3, 5, 0.5, 0.25),
        new Rect(-1, 2, 4, 4));
  }

  record Pair(int depth, long a, long b) {}

  @Provide
  Arbitrary<Pair> pairs() {
    return Arbitraries.integers()
        .between(1, 40)
        .flatMap(
            d -> {
              Arbitrary<Long> i = Arbitraries.longs().between(0, (1L << d) - 1);
              return Combinators.combine(i, i).as((a, b) -> new Pair(d, a, b));
            });
  }

  @Property
  void distinctPrefixesOfOneDepthNeverOverlap(
      @ForAll("outers") Rect outer, @ForAll("pairs") Pair p) {
    Rect a = HilbertLayout.place(outer, p.depth(), p.a());
    Rect b = HilbertLayout.place(outer, p.depth(), p.b());
    assertThat(a.overlaps(b)).isEqualTo(p.a() == p.b());
  }

  @Property
  void everyPrefixLiesInsideItsOuterRectangleWithItsShareOfTheArea(
      @ForAll("outers") Rect outer, @ForAll("pairs") Pair p) {
    Rect a = HilbertLayout.place(outer, p.depth(), p.a());
    assertThat(outer.contains(a)).isTrue();
    assertThat(a.w() * a.h()).isEqualTo(outer.w() * outer.h() / Math.pow(2, p.depth()));
  }

  @Property
  void consecutivePrefixesShareAnEdge(@ForAll("outers") Rect outer, @ForAll("pairs") Pair p) {
    long a = Math.min(p.a(), (1L << p.depth()) - 2);
    if (a < 0) {
      a = 0;
    }
    if (p.depth() == 0 || a + 1 >= 1L << p.depth()) {
      return;
    }
    assertThat(
            HilbertLayout.place(outer, p.depth(), a)
                .sharesEdge(HilbertLayout.place(outer, p.depth(), a + 1)))
        .as("prefix %d and %d of depth %d", a, a + 1, p.depth())
        .isTrue();
  }

  @Property
  void aLongerPrefixLiesInsideEveryShorterPrefixContainingItAndOutsideTheOthers(
      @ForAll("outers") Rect outer,
      @ForAll("pairs") Pair p,
      @ForAll @IntRange(min = 0, max = 20) int more) {
    int deep = p.depth() + more;
    long child = (p.a() << more) | (p.b() & ((1L << more) - 1));
    Rect c = HilbertLayout.place(outer, deep, child);
    assertThat(HilbertLayout.place(outer, p.depth(), p.a()).contains(c)).isTrue();
    Rect other = HilbertLayout.place(outer, p.depth(), p.b());
    assertThat(other.overlaps(c)).isEqualTo(p.a() == p.b());
  }

  @Property
  void prefixesAreLaidOutByTheirOffsetInTheParent(
      @ForAll @IntRange(min = 0, max = 8) int poolOffset,
      @ForAll @IntRange(min = 0, max = 255) int host,
      @ForAll @IntRange(min = 24, max = 32) int length) {
    IpPrefix supernet = IpPrefix.parse("10.80.0.0/12");
    IpPrefix pool = IpPrefix.parse("10.80." + poolOffset + ".0/24");
    IpPrefix sub = IpPrefix.containing(IpAddress.parse("10.80." + poolOffset + "." + host), length);
    Rect poolRect = HilbertLayout.place(Rect.UNIT, supernet, pool);
    assertThat(poolRect).isEqualTo(HilbertLayout.place(Rect.UNIT, 12, poolOffset));
    Rect direct = HilbertLayout.place(Rect.UNIT, supernet, sub);
    assertThat(poolRect.contains(direct)).isTrue();
  }

  @Test
  void theCurveStartsTopLeftAndEndsTopRight() {
    assertThat(HilbertLayout.place(Rect.UNIT, 2, 0)).isEqualTo(new Rect(0, 0, 0.5, 0.5));
    assertThat(HilbertLayout.place(Rect.UNIT, 2, 1)).isEqualTo(new Rect(0, 0.5, 0.5, 0.5));
    assertThat(HilbertLayout.place(Rect.UNIT, 2, 3)).isEqualTo(new Rect(0.5, 0, 0.5, 0.5));
    assertThat(HilbertLayout.place(Rect.UNIT, 1, 1)).isEqualTo(new Rect(0.5, 0, 0.5, 1));
  }

  @Test
  void ipv6PrefixesDeeperThanTheLimitShareTheirAncestorsCell() {
    IpPrefix pool = IpPrefix.parse("fd80:cafe::/64");
    Rect a = HilbertLayout.place(Rect.UNIT, pool, IpPrefix.parse("fd80:cafe::1/128"));
    Rect b = HilbertLayout.place(Rect.UNIT, pool, IpPrefix.parse("fd80:cafe::2/128"));
    assertThat(a).isEqualTo(b);
    assertThat(Rect.UNIT.contains(a)).isTrue();
  }
}
