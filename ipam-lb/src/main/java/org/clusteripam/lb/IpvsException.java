package org.clusteripam.lb;

import org.clusteripam.lb.netlink.Errnos;

/** An IPVS operation the kernel refused: names the operation and the errno. */
public class IpvsException extends RuntimeException {
  private final String operation;
  private final int errno;

  public IpvsException(String operation, int errno) {
    this(operation, errno, operation + ": " + Errnos.describe(errno), null);
  }

  protected IpvsException(String operation, int errno, String message, Throwable cause) {
    super(message, cause);
    this.operation = operation;
    this.errno = errno;
  }

  public String operation() {
    return operation;
  }

  /** The positive errno (see {@link Errnos}); 0 if the failure was not the kernel's errno. */
  public int errno() {
    return errno;
  }

  /** "EEXIST", "ESRCH", ... */
  public String errnoName() {
    return Errnos.name(errno);
  }
}
