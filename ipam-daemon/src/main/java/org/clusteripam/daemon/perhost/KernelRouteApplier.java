package org.clusteripam.daemon.perhost;

import java.util.List;
import java.util.function.IntFunction;
import org.clusteripam.core.perhost.RoutePlan;
import org.clusteripam.lb.route.Route;
import org.clusteripam.lb.route.RouteSync;
import org.clusteripam.lb.route.Routes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the main routing table's routes of our protocol number equal to the plan (rtnetlink through
 * ipam-lb). Routes of any other protocol are never changed: a block another protocol already routes
 * is reported as a conflict. The socket opens lazily and reopens after a failure.
 */
public final class KernelRouteApplier implements RouteApplier {
  private static final Logger LOG = LoggerFactory.getLogger(KernelRouteApplier.class);

  private final int protocol;
  private final IntFunction<Routes> opener;
  private Routes routes;
  private List<RoutePlan.Unrouted> loggedUnrouted = List.of();
  private List<Route> loggedConflicts = List.of();

  KernelRouteApplier(int protocol, IntFunction<Routes> opener) {
    Routes.checkProtocol(protocol);
    this.protocol = protocol;
    this.opener = opener;
  }

  public static KernelRouteApplier open(int protocol) {
    return new KernelRouteApplier(protocol, Routes::open);
  }

  @Override
  public synchronized void apply(RoutePlan plan) {
    List<Route> desired = plan.routes().stream().map(r -> new Route(r.block(), r.via())).toList();
    if (routes == null) {
      routes = opener.apply(protocol);
      LOG.info("event=routes_available protocol={}", protocol);
    }
    RouteSync.Report report;
    try {
      report = new RouteSync(routes).sync(desired);
    } catch (RuntimeException e) {
      routes.close();
      routes = null;
      throw e;
    }
    if (report.changed() || !report.errors().isEmpty()) {
      LOG.info(
          "event=routes_synced routes={} added={} replaced={} removed={} errors={}",
          desired.size(),
          report.added(),
          report.replaced(),
          report.removed(),
          report.errors().size());
    }
    if (!report.conflicts().equals(loggedConflicts)) {
      if (!report.conflicts().isEmpty()) {
        LOG.warn(
            "event=route_conflicts routes=\"{}\" action=\"left alone: another protocol's route covers these blocks\"",
            report.conflicts());
      }
      loggedConflicts = report.conflicts();
    }
    if (!plan.unrouted().equals(loggedUnrouted)) {
      plan.unrouted()
          .forEach(
              u ->
                  LOG.info(
                      "event=block_unrouted pool={} block={} owner={} reason=\"{}\"",
                      u.pool(),
                      u.block(),
                      u.owner(),
                      u.reason()));
      loggedUnrouted = plan.unrouted();
    }
    if (!report.errors().isEmpty()) {
      var first = report.errors().entrySet().iterator().next();
      throw new IllegalStateException(
          report.errors().size()
              + " route(s) refused by the kernel, first "
              + first.getKey()
              + ": "
              + first.getValue());
    }
  }

  @Override
  public synchronized void close() {
    if (routes != null) {
      routes.close();
      routes = null;
    }
  }
}
