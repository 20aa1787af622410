package org.clusteripam.lb.route;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * One route as a dump returns it: the fields this module reads of {@code struct rtmsg} and its
 * attributes. Routes of any protocol, type and table come back; callers filter.
 *
 * @param protocol rtm_protocol: who installed it (2 kernel, 3 boot, 4 static, ours)
 * @param table RTA_TABLE when present, else rtm_table (254 is main)
 * @param type rtm_type (1 unicast, 2 local, ...)
 * @param scope rtm_scope (0 universe, 253 link, 254 host)
 */
public record KernelRoute(
    IpPrefix destination,
    Optional<IpAddress> gateway,
    int protocol,
    int table,
    int type,
    int scope,
    OptionalInt outputInterface,
    OptionalInt priority) {
  public KernelRoute {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(gateway, "gateway");
    Objects.requireNonNull(outputInterface, "outputInterface");
    Objects.requireNonNull(priority, "priority");
  }

  /** This route as a {@link Route}, when it is a unicast route via a gateway. */
  public Optional<Route> asRoute() {
    if (type != RouteCodec.RTN_UNICAST
        || gateway.isEmpty()
        || destination.contains(gateway.get())) {
      return Optional.empty();
    }
    return Optional.of(new Route(destination, gateway.get()));
  }

  public boolean inMainTable() {
    return table == RouteCodec.RT_TABLE_MAIN;
  }
}
