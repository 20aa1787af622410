package org.clusteripam.lb.netlink;

/** A netlink failure: a socket call or the kernel returned an errno, or a reply was malformed. */
public class NetlinkException extends RuntimeException {
  private final int errno;

  public NetlinkException(String message) {
    this(message, 0);
  }

  public NetlinkException(String message, int errno) {
    super(message);
    this.errno = errno;
  }

  /** The positive errno, 0 when the failure was not an errno (malformed data). */
  public int errno() {
    return errno;
  }
}
