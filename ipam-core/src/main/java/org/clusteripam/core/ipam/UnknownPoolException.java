package org.clusteripam.core.ipam;

/** The pool id is not known to this cluster. */
public final class UnknownPoolException extends IpamException {
  private static final long serialVersionUID = 1L;

  public UnknownPoolException(PoolId pool) {
    super("unknown pool id \"" + pool + "\"");
  }
}
