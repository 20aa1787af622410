package org.clusteripam.core.ipam;

import java.util.Map;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/** The answer to RequestAddress: the address with its pool's prefix length, and extra data. */
public record AddressGrant(IpAddress address, IpPrefix pool, Map<String, String> data) {
  public AddressGrant {
    data = Map.copyOf(data);
  }

  /** {@code address/length}, as Docker expects it. */
  public String cidr() {
    return address + "/" + pool.length();
  }
}
