package org.clusteripam.core.net;

import java.math.BigInteger;

/**
 * An immutable CIDR prefix such as {@code 10.80.3.0/24} or {@code fd00:1::/64}.
 *
 * <p>{@link #parse} is strict: host bits below the prefix length must be zero, so that a typo like
 * {@code 10.80.3.7/24} is reported instead of silently widened. {@link #containing} builds the
 * enclosing prefix of any address on purpose.
 */
public final class IpPrefix implements Comparable<IpPrefix> {
  private final IpAddress network;
  private final int length;

  private IpPrefix(IpAddress network, int length) {
    this.network = network;
    this.length = length;
  }

  /** Parses {@code address/length}; the address must have no host bits set. */
  public static IpPrefix parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IpFormatException("CIDR prefix", text, "empty");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IpFormatException("CIDR prefix", text, "missing '/length'");
    }
    IpAddress address;
    try {
      address = IpAddress.parse(text.substring(0, slash));
    } catch (IpFormatException e) {
      throw new IpFormatException("CIDR prefix", text, e.getMessage());
    }
    String len = text.substring(slash + 1);
    if (len.isEmpty()
        || len.length() > 3
        || !len.chars().allMatch(c -> c >= '0' && c <= '9')
        || (len.length() > 1 && len.charAt(0) == '0')) {
      throw new IpFormatException("CIDR prefix", text, "prefix length must be a decimal number");
    }
    int length = Integer.parseInt(len);
    if (length > address.family().bits()) {
      throw new IpFormatException(
          "CIDR prefix",
          text,
          "prefix length "
              + length
              + " exceeds "
              + address.family().bits()
              + " for "
              + address.family());
    }
    IpAddress network = address.maskTo(length);
    if (!network.equals(address)) {
      throw new IpFormatException(
          "CIDR prefix", text, "host bits are set; did you mean " + network + "/" + length + "?");
    }
    return new IpPrefix(network, length);
  }

  /** The prefix of the given length that contains {@code address}. */
  public static IpPrefix containing(IpAddress address, int length) {
    if (length < 0 || length > address.family().bits()) {
      throw new IllegalArgumentException(
          "prefix length " + length + " is out of range for " + address.family());
    }
    return new IpPrefix(address.maskTo(length), length);
  }

  /** An aligned prefix; fails if {@code network} has host bits set. */
  public static IpPrefix of(IpAddress network, int length) {
    IpPrefix p = containing(network, length);
    if (!p.network.equals(network)) {
      throw new IllegalArgumentException(network + " is not aligned to /" + length);
    }
    return p;
  }

  public IpAddress network() {
    return network;
  }

  public int length() {
    return length;
  }

  public IpFamily family() {
    return network.family();
  }

  /** Number of host bits: 32 or 128 minus the length. */
  public int hostBits() {
    return family().bits() - length;
  }

  /** First address (the network address). */
  public IpAddress first() {
    return network;
  }

  /** Last address (the IPv4 broadcast address where one exists). */
  public IpAddress last() {
    return network.fillHostBits(length);
  }

  /** Number of addresses, exact for any size. */
  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(hostBits());
  }

  /** Number of addresses if it fits in a long (up to 2^62), else fails with a clear message. */
  public long sizeAsLong() {
    if (hostBits() > 62) {
      throw new ArithmeticException(
          this + " holds 2^" + hostBits() + " addresses, too many to count in a long");
    }
    return 1L << hostBits();
  }

  public boolean contains(IpAddress address) {
    return address.family() == family() && address.maskTo(length).equals(network);
  }

  public boolean contains(IpPrefix other) {
    return other.family() == family() && other.length >= length && contains(other.network);
  }

  public boolean overlaps(IpPrefix other) {
    return contains(other) || other.contains(this);
  }

  /** The address at {@code offset} from the start; fails outside the prefix. */
  public IpAddress addressAt(long offset) {
    if (offset < 0 || (hostBits() < 63 && offset >= (1L << hostBits()))) {
      throw new IllegalArgumentException(
          "offset " + Long.toUnsignedString(offset) + " is outside " + this);
    }
    return network.plus(offset);
  }

  /**
   * Offset of {@code address} from the start; fails if it is outside or the offset exceeds 64 bits.
   */
  public long offsetOf(IpAddress address) {
    if (!contains(address)) {
      throw new IllegalArgumentException(address + " is not inside " + this);
    }
    return address.offsetFrom(network);
  }

  /** The enclosing prefix one bit shorter. */
  public IpPrefix parent() {
    if (length == 0) {
      throw new IllegalStateException(this + " has no parent");
    }
    return containing(network, length - 1);
  }

  /** The other half of {@link #parent()}. */
  public IpPrefix buddy() {
    IpPrefix p = parent();
    IpPrefix lowHalf = new IpPrefix(p.network, length);
    return lowHalf.equals(this) ? new IpPrefix(p.halfBoundary(), length) : lowHalf;
  }

  /** Lower and upper halves. */
  public IpPrefix lowerHalf() {
    checkSplittable();
    return new IpPrefix(network, length + 1);
  }

  public IpPrefix upperHalf() {
    checkSplittable();
    return new IpPrefix(halfBoundary(), length + 1);
  }

  private IpAddress halfBoundary() {
    return network.fillHostBits(length + 1).next();
  }

  private void checkSplittable() {
    if (length == family().bits()) {
      throw new IllegalStateException(this + " cannot be split");
    }
  }

  /**
   * The {@code index}-th sub-prefix of length {@code subLength} (index counted from 0). Fails when
   * the index is outside the prefix.
   */
  public IpPrefix subPrefix(int subLength, long index) {
    if (subLength < length || subLength > family().bits()) {
      throw new IllegalArgumentException(
          "/" + subLength + " is not a sub-prefix length of " + this);
    }
    int bits = subLength - length;
    if (index < 0 || (bits < 63 && index >= (1L << bits))) {
      throw new IllegalArgumentException(this + " has no /" + subLength + " number " + index);
    }
    return new IpPrefix(
        network.plus(BigInteger.valueOf(index).shiftLeft(family().bits() - subLength)), subLength);
  }

  /** Number of sub-prefixes of {@code subLength}: 2^(subLength - length). */
  public BigInteger subPrefixCount(int subLength) {
    if (subLength < length || subLength > family().bits()) {
      throw new IllegalArgumentException(
          "/" + subLength + " is not a sub-prefix length of " + this);
    }
    return BigInteger.ONE.shiftLeft(subLength - length);
  }

  public IpRange toRange() {
    return IpRange.of(first(), last());
  }

  /** Orders by family, then network address, then shorter prefix first. */
  @Override
  public int compareTo(IpPrefix o) {
    int c = network.compareTo(o.network);
    return c != 0 ? c : Integer.compare(length, o.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpPrefix p && p.length == length && p.network.equals(network);
  }

  @Override
  public int hashCode() {
    return network.hashCode() * 131 + length;
  }

  @Override
  public String toString() {
    return network + "/" + length;
  }
}
