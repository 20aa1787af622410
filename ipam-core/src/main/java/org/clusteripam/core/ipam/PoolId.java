package org.clusteripam.core.ipam;

/**
 * The opaque pool identifier handed to Docker in RequestPool and sent back in every later call.
 * Printable ASCII without spaces, at most 256 characters; its structure is the engine's business.
 */
public record PoolId(String value) {
  public PoolId {
    if (value == null
        || value.isEmpty()
        || value.length() > 256
        || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("malformed pool id \"" + value + "\"");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
