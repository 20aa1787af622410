package org.clusteripam.core.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An immutable IPv4 or IPv6 address.
 *
 * <p>Parsing is strict and never resolves host names: dotted-quad IPv4 without leading zeros, and
 * IPv6 in any RFC 4291 text form (including an embedded IPv4 tail) without zone ids. {@link
 * #toString()} is canonical: dotted quad, or RFC 5952 for IPv6.
 *
 * <p>The value is held as two unsigned longs so that arithmetic and comparison do not allocate.
 * IPv4 addresses sort before IPv6 addresses.
 */
public final class IpAddress implements Comparable<IpAddress> {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private final IpFamily family;
  private final long hi;
  private final long lo;

  /** The canonical text, computed once: stored records encode the same addresses over and over. */
  private String text;

  private IpAddress(IpFamily family, long hi, long lo) {
    this.family = family;
    this.hi = hi;
    this.lo = lo;
  }

  /** Parses an IPv4 or IPv6 address literal. */
  public static IpAddress parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IpFormatException("IP address", text, "empty");
    }
    return text.indexOf(':') >= 0 ? parseV6(text) : ofV4(parseV4(text, "IP address"));
  }

  /** The IPv4 address with this 32-bit value (unsigned). */
  public static IpAddress ofV4(int bits) {
    return new IpAddress(IpFamily.IPV4, 0, bits & 0xffffffffL);
  }

  /** The IPv6 address with these upper and lower 64 bits. */
  public static IpAddress ofV6(long hi, long lo) {
    return new IpAddress(IpFamily.IPV6, hi, lo);
  }

  /** The address of {@code family} whose unsigned value is {@code value}. */
  public static IpAddress of(IpFamily family, BigInteger value) {
    if (value.signum() < 0 || value.bitLength() > family.bits()) {
      throw new IllegalArgumentException(value + " is not a valid " + family + " address value");
    }
    return new IpAddress(family, value.shiftRight(64).longValue(), value.longValue());
  }

  /** From network-order bytes: 4 for IPv4, 16 for IPv6. */
  public static IpAddress fromBytes(byte[] bytes) {
    if (bytes.length == 4) {
      return ofV4(
          ((bytes[0] & 0xff) << 24)
              | ((bytes[1] & 0xff) << 16)
              | ((bytes[2] & 0xff) << 8)
              | (bytes[3] & 0xff));
    }
    if (bytes.length == 16) {
      long h = 0;
      long l = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (bytes[i] & 0xff);
        l = (l << 8) | (bytes[i + 8] & 0xff);
      }
      return ofV6(h, l);
    }
    throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
  }

  /** From a JDK address, without any name lookup. */
  public static IpAddress fromInetAddress(InetAddress address) {
    return fromBytes(address.getAddress());
  }

  /** The lowest address of a family: 0.0.0.0 or ::. */
  public static IpAddress zero(IpFamily family) {
    return new IpAddress(family, 0, 0);
  }

  /** The highest address of a family: 255.255.255.255 or ffff:...:ffff. */
  public static IpAddress max(IpFamily family) {
    return family == IpFamily.IPV4
        ? new IpAddress(family, 0, 0xffffffffL)
        : new IpAddress(family, -1L, -1L);
  }

  public IpFamily family() {
    return family;
  }

  public boolean isV4() {
    return family == IpFamily.IPV4;
  }

  public boolean isV6() {
    return family == IpFamily.IPV6;
  }

  /** Upper 64 bits of the value (always 0 for IPv4). */
  public long high() {
    return hi;
  }

  /** Lower 64 bits of the value (the whole value for IPv4). */
  public long low() {
    return lo;
  }

  /** The unsigned value. */
  public BigInteger toBigInteger() {
    BigInteger l = new BigInteger(Long.toUnsignedString(lo));
    return hi == 0 ? l : new BigInteger(Long.toUnsignedString(hi)).multiply(TWO_64).add(l);
  }

  /** Network-order bytes: 4 for IPv4, 16 for IPv6. */
  public byte[] toBytes() {
    if (isV4()) {
      int v = (int) lo;
      return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (hi >>> (56 - 8 * i));
      b[i + 8] = (byte) (lo >>> (56 - 8 * i));
    }
    return b;
  }

  /** A JDK address of the same family (IPv4-mapped IPv6 stays IPv6). No name lookup. */
  public InetAddress toInetAddress() {
    try {
      byte[] b = toBytes();
      return isV4()
          ? (Inet4Address) InetAddress.getByAddress(b)
          : Inet6Address.getByAddress(null, b, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // only thrown for a wrong byte count
    }
  }

  /** The next address, or an exception at the top of the family. */
  public IpAddress next() {
    return plus(1);
  }

  /** The previous address, or an exception at the bottom of the family. */
  public IpAddress previous() {
    return minus(1);
  }

  /** This address plus a non-negative distance; fails if it leaves the family's space. */
  public IpAddress plus(long distance) {
    if (distance == Long.MIN_VALUE) {
      return plus(BigInteger.valueOf(distance)); // -MIN_VALUE does not exist as a long
    }
    if (distance < 0) {
      return minus(-distance);
    }
    long l = lo + distance;
    long h = hi + (Long.compareUnsigned(l, lo) < 0 ? 1 : 0);
    // Unsigned comparisons: lo + distance may exceed 2^63 for IPv4 too.
    if (isV4()
        ? (h != 0 || Long.compareUnsigned(l, 0xffffffffL) > 0)
        : Long.compareUnsigned(h, hi) < 0) {
      throw new ArithmeticException(
          this + " + " + distance + " is outside the " + family + " space");
    }
    return new IpAddress(family, h, l);
  }

  /** This address plus an unsigned distance of any size. */
  public IpAddress plus(BigInteger distance) {
    BigInteger v = toBigInteger().add(distance);
    if (v.signum() < 0 || v.bitLength() > family.bits()) {
      throw new ArithmeticException(
          this + " + " + distance + " is outside the " + family + " space");
    }
    return of(family, v);
  }

  /** This address minus a non-negative distance; fails below zero. */
  public IpAddress minus(long distance) {
    if (distance == Long.MIN_VALUE) {
      return plus(BigInteger.ONE.shiftLeft(63));
    }
    if (distance < 0) {
      return plus(-distance);
    }
    long l = lo - distance;
    long h = hi - (Long.compareUnsigned(l, lo) > 0 ? 1 : 0);
    if (Long.compareUnsigned(h, hi) > 0) {
      throw new ArithmeticException(
          this + " - " + distance + " is outside the " + family + " space");
    }
    return new IpAddress(family, h, l);
  }

  /**
   * The distance from {@code base} up to this address as an unsigned long. Fails if the families
   * differ, if {@code base} is above this address, or if the distance needs more than 64 bits.
   */
  public long offsetFrom(IpAddress base) {
    checkSameFamily(base);
    if (compareTo(base) < 0) {
      throw new IllegalArgumentException(this + " is below " + base);
    }
    long l = lo - base.lo;
    long h = hi - base.hi - (Long.compareUnsigned(lo, base.lo) < 0 ? 1 : 0);
    if (h != 0) {
      throw new ArithmeticException("distance from " + base + " to " + this + " exceeds 64 bits");
    }
    return l;
  }

  /** True when the distance between the two addresses fits in an unsigned long. */
  boolean within64BitsOf(IpAddress base) {
    long h = hi - base.hi - (Long.compareUnsigned(lo, base.lo) < 0 ? 1 : 0);
    return h == 0;
  }

  /** The address with the lowest {@code hostBits} bits cleared. */
  public IpAddress maskTo(int prefixLength) {
    int hostBits = family.bits() - prefixLength;
    if (prefixLength < 0 || hostBits < 0) {
      throw new IllegalArgumentException(
          "prefix length " + prefixLength + " is out of range for " + family);
    }
    long h = hi;
    long l = lo;
    if (hostBits >= 64) {
      l = 0;
      h = hostBits >= 128 ? 0 : h & (-1L << (hostBits - 64));
    } else if (hostBits > 0) {
      l = l & (-1L << hostBits);
    }
    return new IpAddress(family, h, l);
  }

  /** The address with the lowest bits below {@code prefixLength} set. */
  public IpAddress fillHostBits(int prefixLength) {
    int hostBits = family.bits() - prefixLength;
    if (prefixLength < 0 || hostBits < 0) {
      throw new IllegalArgumentException(
          "prefix length " + prefixLength + " is out of range for " + family);
    }
    long h = hi;
    long l = lo;
    if (hostBits >= 64) {
      l = isV4() ? 0xffffffffL : -1L;
      h = hostBits >= 128 ? -1L : h | ~(-1L << (hostBits - 64));
    } else if (hostBits > 0) {
      l = l | ~(-1L << hostBits);
    }
    if (isV4()) {
      l &= 0xffffffffL;
      h = 0;
    }
    return new IpAddress(family, h, l);
  }

  void checkSameFamily(IpAddress other) {
    if (other.family != family) {
      throw new IllegalArgumentException(
          "cannot mix "
              + family
              + " address "
              + this
              + " with "
              + other.family
              + " address "
              + other);
    }
  }

  @Override
  public int compareTo(IpAddress o) {
    if (family != o.family) {
      return family.compareTo(o.family);
    }
    int c = Long.compareUnsigned(hi, o.hi);
    return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddress a && a.family == family && a.hi == hi && a.lo == lo;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hi * 31 + lo) * 2 + family.ordinal();
  }

  /** Canonical text: dotted quad, or RFC 5952 for IPv6 (IPv4-mapped as ::ffff:a.b.c.d). */
  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      t = isV4() ? v4Text((int) lo) : v6Text();
      text = t; // a benign race: every thread computes the same string
    }
    return t;
  }

  private static String v4Text(int v) {
    return ((v >>> 24) & 0xff)
        + "."
        + ((v >>> 16) & 0xff)
        + "."
        + ((v >>> 8) & 0xff)
        + "."
        + (v & 0xff);
  }

  private String v6Text() {
    int[] g = new int[8];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
      g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
    }
    if (hi == 0 && (lo >>> 32) == 0xffffL) {
      return "::ffff:" + v4Text((int) lo);
    }
    // RFC 5952 4.2: compress the longest run of two or more zero groups, the first on a tie.
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  static int parseV4(String text, String kind) {
    int value = 0;
    int octets = 0;
    int i = 0;
    int n = text.length();
    while (true) {
      int start = i;
      int octet = 0;
      while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        octet = octet * 10 + (text.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          throw new IpFormatException(kind, text, "octet too long");
        }
      }
      if (i == start) {
        throw new IpFormatException(kind, text, "expected a decimal octet at position " + start);
      }
      if (i - start > 1 && text.charAt(start) == '0') {
        throw new IpFormatException(kind, text, "octet with a leading zero is ambiguous");
      }
      if (octet > 255) {
        throw new IpFormatException(kind, text, "octet " + octet + " is above 255");
      }
      value = (value << 8) | octet;
      octets++;
      if (i == n) {
        break;
      }
      if (text.charAt(i) != '.' || octets == 4) {
        throw new IpFormatException(
            kind, text, "unexpected character '" + text.charAt(i) + "' at position " + i);
      }
      i++;
    }
    if (octets != 4) {
      throw new IpFormatException(kind, text, "an IPv4 address has 4 octets, not " + octets);
    }
    return value;
  }

  private static IpAddress parseV6(String text) {
    if (text.length() > 45) {
      throw new IpFormatException("IP address", text, "too long for IPv6");
    }
    if (text.indexOf('%') >= 0) {
      throw new IpFormatException("IP address", text, "zone ids are not accepted");
    }
    int doubleColon = text.indexOf("::");
    if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
      throw new IpFormatException("IP address", text, "'::' may appear only once");
    }
    String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
    String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
    int[] headGroups = groups(head, text, doubleColon < 0);
    int[] tailGroups = doubleColon >= 0 ? groups(tail, text, true) : new int[0];
    int count = headGroups.length + tailGroups.length;
    if (doubleColon < 0 && count != 8) {
      throw new IpFormatException("IP address", text, "an IPv6 address has 8 groups, not " + count);
    }
    if (doubleColon >= 0 && count > 7) {
      throw new IpFormatException("IP address", text, "too many groups around '::'");
    }
    int[] g = new int[8];
    System.arraycopy(headGroups, 0, g, 0, headGroups.length);
    System.arraycopy(tailGroups, 0, g, 8 - tailGroups.length, tailGroups.length);
    long h = 0;
    long l = 0;
    for (int i = 0; i < 4; i++) {
      h = (h << 16) | g[i];
      l = (l << 16) | g[i + 4];
    }
    return ofV6(h, l);
  }

  /** Parses colon-separated hex groups; an IPv4 tail is allowed only at the very end. */
  private static int[] groups(String part, String whole, boolean mayEndWithV4) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] fields = part.split(":", -1);
    int[] out = new int[fields.length + 1];
    int k = 0;
    for (int i = 0; i < fields.length; i++) {
      String f = fields[i];
      if (i == fields.length - 1 && mayEndWithV4 && f.indexOf('.') >= 0) {
        int v4 = parseV4(f, "IP address");
        out[k++] = v4 >>> 16;
        out[k++] = v4 & 0xffff;
        continue;
      }
      if (f.isEmpty() || f.length() > 4) {
        throw new IpFormatException("IP address", whole, "bad group \"" + f + "\"");
      }
      int v = 0;
      for (int c = 0; c < f.length(); c++) {
        int d = Character.digit(f.charAt(c), 16);
        if (d < 0 || f.charAt(c) > 'f') {
          throw new IpFormatException("IP address", whole, "bad hex digit '" + f.charAt(c) + "'");
        }
        v = (v << 4) | d;
      }
      out[k++] = v;
    }
    return Arrays.copyOf(out, k);
  }
}
