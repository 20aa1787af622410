package org.clusteripam.core.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/** jqwik generators of IP values, reusable from the ipam-core test-jar. */
public final class IpArbitraries {
  private IpArbitraries() {}

  public static Arbitrary<IpAddress> v4() {
    return Arbitraries.integers().map(IpAddress::ofV4);
  }

  /** IPv6 addresses biased towards zero groups, so '::' compression is exercised often. */
  public static Arbitrary<IpAddress> v6() {
    Arbitrary<Integer> group =
        Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.just(0)),
            Tuple.of(4, Arbitraries.integers().between(0, 0xffff)));
    return group
        .list()
        .ofSize(8)
        .map(
            g -> {
              long h = 0;
              long l = 0;
              for (int i = 0; i < 4; i++) {
                h = (h << 16) | g.get(i);
                l = (l << 16) | g.get(i + 4);
              }
              return IpAddress.ofV6(h, l);
            });
  }

  public static Arbitrary<IpAddress> addresses() {
    return Arbitraries.oneOf(v4(), v6());
  }

  /**
   * Prefixes of the family with lengths in {@code [minLength, maxLength]} (clamped to the family).
   */
  public static Arbitrary<IpPrefix> prefixes(IpFamily family, int minLength, int maxLength) {
    Arbitrary<IpAddress> a = family == IpFamily.IPV4 ? v4() : v6();
    int max = Math.min(maxLength, family.bits());
    return Combinators.combine(a, Arbitraries.integers().between(Math.min(minLength, max), max))
        .as(IpPrefix::containing);
  }
}
