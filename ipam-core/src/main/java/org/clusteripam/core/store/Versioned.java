package org.clusteripam.core.store;

import java.util.Arrays;

/**
 * A stored value with the store revision of its last write.
 *
 * @param value the bytes (a defensive copy is not made: do not modify)
 * @param modRevision revision of the last write to this key; higher means later
 */
public record Versioned(byte[] value, long modRevision) {
  @Override
  public boolean equals(Object o) {
    return o instanceof Versioned v
        && v.modRevision == modRevision
        && Arrays.equals(v.value, value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value) * 31 + Long.hashCode(modRevision);
  }

  @Override
  public String toString() {
    return "Versioned[" + value.length + " bytes @" + modRevision + "]";
  }
}
