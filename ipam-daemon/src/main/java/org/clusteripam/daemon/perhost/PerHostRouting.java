package org.clusteripam.daemon.perhost;

import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.lb.route.Routes;

/**
 * Routed per-host blocks on this host ({@code --advertise-addr}, {@code --route-protocol}): the address
 * the other hosts route this host's blocks to, and the rtm_protocol of the routes this host keeps.
 * Without an address this host neither publishes one nor keeps routes.
 */
public record PerHostRouting(Optional<IpAddress> advertise, int protocol) {
  public PerHostRouting {
    Routes.checkProtocol(protocol);
  }

  public static PerHostRouting off() {
    return new PerHostRouting(Optional.empty(), Routes.DEFAULT_PROTOCOL);
  }

  /** {@code --advertise-addr} ("" or "none": off) and {@code --route-protocol}. */
  public static PerHostRouting parse(String advertise, int protocol) {
    String a = advertise == null ? "" : advertise.strip();
    try {
      Routes.checkProtocol(protocol);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--route-protocol: " + e.getMessage(), e);
    }
    if (a.isEmpty() || a.equalsIgnoreCase("none")) {
      return new PerHostRouting(Optional.empty(), protocol);
    }
    try {
      return new PerHostRouting(Optional.of(IpAddress.parse(a)), protocol);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--advertise-addr must be an IP address, got \"" + advertise + "\"", e);
    }
  }
}
