package org.clusteripam.lb;

import org.clusteripam.lb.netlink.Errnos;

/** The kernel has no IPVS: the generic netlink family "IPVS" does not exist (ip_vs not loaded). */
public final class IpvsUnavailableException extends IpvsException {
  public IpvsUnavailableException(String operation, Throwable cause) {
    super(
        operation,
        Errnos.ENOENT,
        "IPVS not available in this kernel: generic netlink family \"IPVS\" not found"
            + " (load the ip_vs module, e.g. modprobe ip_vs)",
        cause);
  }
}
