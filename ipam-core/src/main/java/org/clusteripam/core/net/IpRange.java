package org.clusteripam.core.net;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** An immutable inclusive range of addresses of one family, {@code first..last}. */
public final class IpRange implements Comparable<IpRange> {
  private final IpAddress first;
  private final IpAddress last;

  private IpRange(IpAddress first, IpAddress last) {
    this.first = first;
    this.last = last;
  }

  public static IpRange of(IpAddress first, IpAddress last) {
    first.checkSameFamily(last);
    if (first.compareTo(last) > 0) {
      throw new IllegalArgumentException("range start " + first + " is above its end " + last);
    }
    return new IpRange(first, last);
  }

  /** Parses {@code a-b} (inclusive), a CIDR prefix, or a single address. */
  public static IpRange parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IpFormatException("IP range", text, "empty");
    }
    int dash = text.indexOf('-');
    if (dash >= 0) {
      IpAddress a = IpAddress.parse(text.substring(0, dash).trim());
      IpAddress b = IpAddress.parse(text.substring(dash + 1).trim());
      if (a.family() != b.family()) {
        throw new IpFormatException("IP range", text, "mixes IPv4 and IPv6");
      }
      if (a.compareTo(b) > 0) {
        throw new IpFormatException("IP range", text, "start is above end");
      }
      return new IpRange(a, b);
    }
    if (text.indexOf('/') >= 0) {
      return IpPrefix.parse(text).toRange();
    }
    IpAddress a = IpAddress.parse(text);
    return new IpRange(a, a);
  }

  public IpAddress first() {
    return first;
  }

  public IpAddress last() {
    return last;
  }

  public IpFamily family() {
    return first.family();
  }

  public BigInteger size() {
    return last.toBigInteger().subtract(first.toBigInteger()).add(BigInteger.ONE);
  }

  public boolean contains(IpAddress a) {
    return a.family() == family() && a.compareTo(first) >= 0 && a.compareTo(last) <= 0;
  }

  public boolean contains(IpRange r) {
    return r.family() == family() && r.first.compareTo(first) >= 0 && r.last.compareTo(last) <= 0;
  }

  public boolean overlaps(IpRange r) {
    return r.family() == family() && r.first.compareTo(last) <= 0 && first.compareTo(r.last) <= 0;
  }

  /** The smallest list of CIDR prefixes that exactly covers this range, in address order. */
  public List<IpPrefix> toPrefixes() {
    List<IpPrefix> out = new ArrayList<>();
    BigInteger cur = first.toBigInteger();
    BigInteger end = last.toBigInteger();
    int bits = family().bits();
    while (cur.compareTo(end) <= 0) {
      int trailing = cur.signum() == 0 ? bits : cur.getLowestSetBit();
      int span = Math.min(trailing, bits);
      BigInteger remaining = end.subtract(cur).add(BigInteger.ONE);
      while (span > 0 && BigInteger.ONE.shiftLeft(span).compareTo(remaining) > 0) {
        span--;
      }
      out.add(IpPrefix.of(IpAddress.of(family(), cur), bits - span));
      cur = cur.add(BigInteger.ONE.shiftLeft(span));
    }
    return out;
  }

  @Override
  public int compareTo(IpRange o) {
    int c = first.compareTo(o.first);
    return c != 0 ? c : last.compareTo(o.last);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpRange r && r.first.equals(first) && r.last.equals(last);
  }

  @Override
  public int hashCode() {
    return first.hashCode() * 31 + last.hashCode();
  }

  @Override
  public String toString() {
    return first.equals(last) ? first.toString() : first + "-" + last;
  }
}
