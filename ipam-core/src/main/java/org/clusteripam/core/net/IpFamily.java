package org.clusteripam.core.net;

/** The two IP address families, with their bit widths. */
public enum IpFamily {
  IPV4(32),
  IPV6(128);

  private final int bits;

  IpFamily(int bits) {
    this.bits = bits;
  }

  /** Address width in bits: 32 or 128. */
  public int bits() {
    return bits;
  }

  /** Address width in bytes: 4 or 16. */
  public int bytes() {
    return bits / 8;
  }

  @Override
  public String toString() {
    return this == IPV4 ? "IPv4" : "IPv6";
  }
}
