package org.clusteripam.core.ipam;

/** The identity of a host (Docker node); Docker never sends one, so the daemon supplies it. */
public record HostId(String value) {
  /** The longest host id (a DNS name's length). */
  public static final int MAX = 253;

  public HostId {
    if (!Names.isValid(value, MAX)) {
      throw new IllegalArgumentException(Names.problem("host id", MAX, value));
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
