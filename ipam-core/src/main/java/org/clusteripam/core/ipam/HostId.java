package org.clusteripam.core.ipam;

/** The identity of a host (Docker node); Docker never sends one, so the daemon supplies it. */
public record HostId(String value) {
  public HostId {
    if (value == null || value.isEmpty() || value.length() > 253 || !value.chars().allMatch(HostId::allowed)) {
      throw new IllegalArgumentException("host id must be 1-253 characters of [A-Za-z0-9._-], got \"" + value + "\"");
    }
  }

  private static boolean allowed(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  }

  @Override
  public String toString() {
    return value;
  }
}
