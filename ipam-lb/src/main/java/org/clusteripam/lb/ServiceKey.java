package org.clusteripam.lb;

import org.clusteripam.core.net.IpFamily;

/** What identifies a virtual service: an address, port and protocol, or a firewall mark. */
public sealed interface ServiceKey permits AddressKey, FwmarkKey {

  IpFamily family();

  static AddressKey of(org.clusteripam.core.net.IpAddress address, Protocol protocol, int port) {
    return new AddressKey(address, protocol, port);
  }

  static FwmarkKey fwmark(IpFamily family, int mark) {
    return new FwmarkKey(family, mark);
  }
}
