package org.clusteripam.lb;

import java.util.Objects;
import org.clusteripam.core.net.IpFamily;

/** A service by firewall mark (ipvsadm -f), for one address family. */
public record FwmarkKey(IpFamily family, int mark) implements ServiceKey {
  public FwmarkKey {
    Objects.requireNonNull(family, "family");
    if (mark == 0) {
      throw new IllegalArgumentException("fwmark 0 means no fwmark");
    }
  }

  @Override
  public String toString() {
    return "FWM " + Integer.toUnsignedString(mark) + " " + family;
  }
}
