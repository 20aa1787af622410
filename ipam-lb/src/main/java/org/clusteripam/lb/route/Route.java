package org.clusteripam.lb.route;

import java.util.Objects;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/** A route this module installs: {@code destination} via {@code gateway}, in the main table. */
public record Route(IpPrefix destination, IpAddress gateway) implements Comparable<Route> {
  public Route {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(gateway, "gateway");
    if (destination.family() != gateway.family()) {
      throw new IllegalArgumentException(
          "route " + destination + " via " + gateway + ": gateway of another address family");
    }
    if (destination.contains(gateway)) {
      throw new IllegalArgumentException(
          "route " + destination + " via " + gateway + ": gateway inside the destination");
    }
  }

  public static Route of(String destination, String gateway) {
    return new Route(IpPrefix.parse(destination), IpAddress.parse(gateway));
  }

  @Override
  public int compareTo(Route o) {
    int c = destination.compareTo(o.destination);
    return c != 0 ? c : gateway.compareTo(o.gateway);
  }

  @Override
  public String toString() {
    return destination + " via " + gateway;
  }
}
