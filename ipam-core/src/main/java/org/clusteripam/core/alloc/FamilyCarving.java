package org.clusteripam.core.alloc;

import java.util.Objects;
import java.util.Optional;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * How one address family's space is cut: the supernet dynamic pools are carved from (none: this
 * family has no dynamic pools), the prefix length of a dynamic network pool and that of a host
 * block.
 */
public record FamilyCarving(
    IpFamily family, Optional<IpPrefix> supernet, int networkLength, int blockLength) {

  public FamilyCarving {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(supernet, "supernet");
    if (supernet.isPresent() && supernet.get().family() != family) {
      throw new IllegalArgumentException(
          "the " + family + " supernet " + supernet.get() + " is not " + family);
    }
  }

  /**
   * A host carves its dynamic pools from a range of 2^{@value #RANGE_BITS} pools it claims: small
   * enough that hundreds of hosts each get their own, large enough that claims are rare.
   */
  public static final int RANGE_BITS = 3;

  /**
   * The prefix length of a carving range: {@value #RANGE_BITS} bits shorter than a dynamic pool,
   * never shorter than the supernet. Derived, not stored: changing it would re-cut every store.
   */
  public int rangeLength() {
    int supernetLength = supernet.map(IpPrefix::length).orElse(networkLength);
    return Math.min(networkLength, Math.max(supernetLength, networkLength - RANGE_BITS));
  }

  /** A family carved from {@code supernet} (its family is the supernet's). */
  public static FamilyCarving of(IpPrefix supernet, int networkLength, int blockLength) {
    return new FamilyCarving(supernet.family(), Optional.of(supernet), networkLength, blockLength);
  }

  /**
   * The lengths fit the family and the supernet: a pool no wider than the supernet, a block of at
   * most 2^64 addresses (offsets inside a block are unsigned 64-bit values).
   */
  public FamilyCarving checked() {
    int bits = family.bits();
    int supernetLength = supernet.map(IpPrefix::length).orElse(0);
    if (networkLength < supernetLength || networkLength > bits) {
      throw new IllegalArgumentException(
          family
              + " network prefix length /"
              + networkLength
              + " must be between the supernet's /"
              + supernetLength
              + " and /"
              + bits);
    }
    if (blockLength < bits - 64 || blockLength > bits) {
      throw new IllegalArgumentException(
          family
              + " host block length /"
              + blockLength
              + " must be between /"
              + Math.max(0, bits - 64)
              + " and /"
              + bits);
    }
    return this;
  }
}
