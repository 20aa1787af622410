package org.clusteripam.core.ipam;

/** The identity of a host (Docker node); Docker never sends one, so the daemon supplies it. */
public record HostId(String value) {
  public HostId {
    if (!Names.isValid(value, 253)) {
      throw new IllegalArgumentException(Names.problem("host id", 253, value));
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
