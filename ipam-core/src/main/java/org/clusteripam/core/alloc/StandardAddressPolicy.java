package org.clusteripam.core.alloc;

/** The built-in dynamic policies: one class, so the hot call site stays monomorphic. */
public enum StandardAddressPolicy implements AddressPolicy {
  /** The lowest free address of the dynamic range. */
  LOWEST_FREE,
  /**
   * The first free address after the last one handed out, wrapping at the end of the range
   * (Docker's {@code com.docker.network.ipam.serial}): a freed address is not reused before the
   * block wraps.
   */
  SERIAL;

  @Override
  public long pick(Candidates c) {
    long first = c.first();
    long last = c.last();
    if (this == LOWEST_FREE) {
      return c.nextFree(first, last);
    }
    long cursor = c.serialCursor();
    long start =
        Long.compareUnsigned(cursor, first) > 0 && Long.compareUnsigned(cursor, last) <= 0
            ? cursor
            : first;
    long pick = c.nextFree(start, last);
    if (pick == -1 && start != first) {
      pick = c.nextFree(first, start - 1); // wrap
    }
    return pick;
  }
}
