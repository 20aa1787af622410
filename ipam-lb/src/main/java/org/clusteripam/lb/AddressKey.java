package org.clusteripam.lb;

import java.util.Objects;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;

/** A service by virtual address, protocol and port (ipvsadm -t/-u/--sctp-service). */
public record AddressKey(IpAddress address, Protocol protocol, int port) implements ServiceKey {
  public AddressKey {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
    if (port < 0 || port > 0xffff) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  @Override
  public IpFamily family() {
    return address.family();
  }

  @Override
  public String toString() {
    String host = address.isV4() ? address.toString() : "[" + address + "]";
    return protocol + " " + host + ":" + port;
  }
}
