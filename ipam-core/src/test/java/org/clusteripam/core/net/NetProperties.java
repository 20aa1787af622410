package org.clusteripam.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.clusteripam.core.testing.IpArbitraries;

/** Properties of the IP values, checked against Guava's independent RFC 5952 formatter. */
class NetProperties {

  @Provide
  Arbitrary<IpAddress> v6() {
    return IpArbitraries.v6();
  }

  @Provide
  Arbitrary<IpAddress> any() {
    return IpArbitraries.addresses();
  }

  @Property
  void ipv4RoundTrips(@ForAll int bits) {
    IpAddress a = IpAddress.ofV4(bits);
    assertThat(IpAddress.parse(a.toString())).isEqualTo(a);
    assertThat(a.toString()).isEqualTo(InetAddresses.fromInteger(bits).getHostAddress());
  }

  @Property
  void ipv6FormatsAsRfc5952(@ForAll("v6") IpAddress a) throws Exception {
    // IPv4-mapped: dotted tail, checked separately
    Assume.that(!(a.high() == 0 && (a.low() >>> 32) == 0xffffL));
    String expected = InetAddresses.toAddrString(Inet6Address.getByAddress(null, a.toBytes(), -1));
    assertThat(a.toString()).isEqualTo(expected);
    assertThat(IpAddress.parse(a.toString())).isEqualTo(a);
  }

  @Property
  void ipv6ParsesEveryTextForm(
      @ForAll("v6") IpAddress a,
      @ForAll boolean upper,
      @ForAll boolean padded,
      @ForAll boolean compress) {
    String[] groups = new String[8];
    for (int i = 0; i < 8; i++) {
      int g = (int) ((i < 4 ? a.high() : a.low()) >>> (48 - 16 * (i % 4))) & 0xffff;
      String s = padded ? String.format("%04x", g) : Integer.toHexString(g);
      groups[i] = upper ? s.toUpperCase() : s;
    }
    String text = String.join(":", groups);
    if (compress) {
      int zeroStart = -1;
      for (int i = 0; i < 8; i++) {
        if (Integer.parseInt(groups[i], 16) == 0) {
          zeroStart = i;
          break;
        }
      }
      if (zeroStart >= 0) {
        int end = zeroStart;
        while (end < 8 && Integer.parseInt(groups[end], 16) == 0) {
          end++;
        }
        text =
            String.join(":", List.of(groups).subList(0, zeroStart))
                + "::"
                + String.join(":", List.of(groups).subList(end, 8));
      }
    }
    assertThat(IpAddress.parse(text)).isEqualTo(a);
  }

  @Property
  void ipv4MappedFormatsWithADottedTail(@ForAll int v4) {
    IpAddress a = IpAddress.ofV6(0, 0xffff00000000L | (v4 & 0xffffffffL));
    assertThat(a.toString()).isEqualTo("::ffff:" + IpAddress.ofV4(v4));
    assertThat(IpAddress.parse(a.toString())).isEqualTo(a);
  }

  @Property
  void leadingZerosInIpv4OctetsAreRejected(
      @ForAll @IntRange(min = 0, max = 3) int which,
      @ForAll @IntRange(min = 0, max = 99) int octet) {
    String[] o = {"10", "1", "2", "3"};
    o[which] = "0" + octet;
    assertThatThrownBy(() -> IpAddress.parse(String.join(".", o)))
        .isInstanceOf(IpFormatException.class);
  }

  @Property
  void arithmeticAgreesWithBigIntegers(@ForAll("any") IpAddress a, @ForAll long d) {
    BigInteger expected = a.toBigInteger().add(BigInteger.valueOf(d));
    boolean inside = expected.signum() >= 0 && expected.bitLength() <= a.family().bits();
    if (inside) {
      IpAddress b = a.plus(d);
      assertThat(b.toBigInteger()).isEqualTo(expected);
      assertThat(b.minus(d)).isEqualTo(a);
      assertThat(Integer.signum(b.compareTo(a))).isEqualTo(Long.signum(d));
      if (d >= 0) {
        assertThat(b.offsetFrom(a)).isEqualTo(d);
      }
    } else {
      assertThatThrownBy(() -> a.plus(d)).isInstanceOf(ArithmeticException.class);
    }
  }

  @Property
  void prefixesContainWhatTheyShouldAndRoundTrip(
      @ForAll("any") IpAddress a, @ForAll @IntRange(min = 0, max = 128) int len) {
    Assume.that(len <= a.family().bits());
    IpPrefix p = IpPrefix.containing(a, len);
    assertThat(p.contains(a)).isTrue();
    assertThat(IpPrefix.parse(p.toString())).isEqualTo(p);
    assertThat(p.first().compareTo(a)).isLessThanOrEqualTo(0);
    assertThat(p.last().compareTo(a)).isGreaterThanOrEqualTo(0);
    assertThat(p.last().toBigInteger().subtract(p.first().toBigInteger()).add(BigInteger.ONE))
        .isEqualTo(p.size());
    assertThat(p.toRange().contains(a)).isTrue();
    if (len > 0) {
      assertThat(p.parent().contains(p)).isTrue();
      assertThat(p.buddy().overlaps(p)).isFalse();
      assertThat(p.buddy().parent()).isEqualTo(p.parent());
    }
    if (p.hostBits() > 0) {
      assertThat(p.lowerHalf().contains(a) ^ p.upperHalf().contains(a)).isTrue();
    }
  }

  @Property
  void prefixOverlapMatchesRangeOverlap(
      @ForAll("any") IpAddress a,
      @ForAll("any") IpAddress b,
      @ForAll @IntRange(min = 0, max = 128) int la,
      @ForAll @IntRange(min = 0, max = 128) int lb) {
    Assume.that(la <= a.family().bits() && lb <= b.family().bits());
    IpPrefix p = IpPrefix.containing(a, la);
    IpPrefix q = IpPrefix.containing(b, lb);
    assertThat(p.overlaps(q)).isEqualTo(p.toRange().overlaps(q.toRange()));
    assertThat(p.contains(q)).isEqualTo(p.toRange().contains(q.toRange()));
  }

  @Provide
  Arbitrary<IpRange> ranges() {
    Arbitrary<IpRange> v4 =
        Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 5000))
            .as(
                (x, n) -> {
                  long first = x & 0xffffffffL;
                  long last = Math.min(0xffffffffL, first + n);
                  return IpRange.of(IpAddress.ofV4((int) first), IpAddress.ofV4((int) last));
                });
    Arbitrary<IpRange> v6 =
        Combinators.combine(v6(), Arbitraries.longs().between(0, Long.MAX_VALUE))
            .as(
                (x, n) -> {
                  IpAddress last =
                      x.toBigInteger().add(BigInteger.valueOf(n)).bitLength() > 128
                          ? IpAddress.max(IpFamily.IPV6)
                          : x.plus(BigInteger.valueOf(n));
                  return IpRange.of(x, last);
                });
    return Arbitraries.oneOf(v4, v6);
  }

  @Property
  void toPrefixesCoversARangeExactlyAndMinimally(@ForAll("ranges") IpRange r) {
    List<IpPrefix> ps = r.toPrefixes();
    assertThat(ps.get(0).first()).isEqualTo(r.first());
    assertThat(ps.get(ps.size() - 1).last()).isEqualTo(r.last());
    BigInteger total = BigInteger.ZERO;
    for (int i = 0; i < ps.size(); i++) {
      total = total.add(ps.get(i).size());
      if (i > 0) {
        assertThat(ps.get(i - 1).last().next()).isEqualTo(ps.get(i).first());
        // Minimal: two neighbours of one length are never buddies (they would merge into one
        // prefix).
        if (ps.get(i - 1).length() == ps.get(i).length()) {
          assertThat(ps.get(i - 1).buddy()).isNotEqualTo(ps.get(i));
        }
      }
    }
    assertThat(total).isEqualTo(r.size());
  }
}
