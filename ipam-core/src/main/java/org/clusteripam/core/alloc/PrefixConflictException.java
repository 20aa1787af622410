package org.clusteripam.core.alloc;

import org.clusteripam.core.net.IpPrefix;

/** A prefix asked for overlaps one already taken; the message names both. */
public final class PrefixConflictException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient IpPrefix requested;
  private final transient IpPrefix existing;

  public PrefixConflictException(IpPrefix requested, IpPrefix existing) {
    super(requested + " overlaps " + existing + ", which is already in use");
    this.requested = requested;
    this.existing = existing;
  }

  public IpPrefix requested() {
    return requested;
  }

  public IpPrefix existing() {
    return existing;
  }
}
