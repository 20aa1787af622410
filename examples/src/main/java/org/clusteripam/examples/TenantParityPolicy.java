package org.clusteripam.examples;

import org.clusteripam.core.alloc.AddressPolicy;

/**
 * A custom allocation policy: two tenants share a block, one gets even addresses, the other odd
 * ones, each the lowest free address of its parity. Plugged into ipam-core's blocks ({@link
 * org.clusteripam.core.state.Block#pick}) through the {@link AddressPolicy} seam; the block still
 * enforces what no policy may break (used, reserved and cooling addresses, the dynamic range).
 */
public enum TenantParityPolicy implements AddressPolicy {
  EVEN(0),
  ODD(1);

  private final long parity;

  TenantParityPolicy(long parity) {
    this.parity = parity;
  }

  /**
   * Whether this tenant may ever get the address at {@code offset} (offsets count from the block).
   */
  public boolean owns(long offset) {
    return (offset & 1) == parity;
  }

  @Override
  public long pick(Candidates c) {
    long from = c.first();
    while (true) {
      long f = c.nextFree(from, c.last());
      if (f == -1 || owns(f)) {
        return f;
      }
      if (f == c.last()) {
        return -1;
      }
      from = f + 1;
    }
  }
}
