package org.clusteripam.cni;

import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/** rangeStart/rangeEnd → the ip-range prefix they must span exactly. */
final class IpRanges {
  private IpRanges() {}

  static IpPrefix asPrefix(IpPrefix subnet, IpAddress start, IpAddress end) {
    if (!subnet.contains(start) || !subnet.contains(end) || start.compareTo(end) > 0) {
      throw new CniFailure(
          CniFailure.INVALID_CONFIG,
          "rangeStart "
              + start
              + " to rangeEnd "
              + end
              + " is not an ordered range inside subnet "
              + subnet);
    }
    for (int len = subnet.length(); len <= start.family().bits(); len++) {
      IpPrefix p = IpPrefix.containing(start, len);
      if (p.first().equals(start) && p.last().equals(end)) {
        return p;
      }
    }
    throw new CniFailure(
        CniFailure.INVALID_CONFIG,
        "rangeStart " + start + " to rangeEnd " + end + " is not one CIDR block",
        "cluster-ipam's ip-range is a CIDR inside the subnet: give e.g. rangeStart "
            + start
            + " and the last address of an aligned block");
  }
}
