package org.clusteripam.daemon.perhost;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.lb.AddressKey;
import org.clusteripam.lb.Ipvs;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.VirtualService;
import org.clusteripam.lb.perhost.PerHostServices;
import org.clusteripam.lb.route.LocalSync;
import org.clusteripam.lb.route.Routes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every frontend of this host's load balancer local (a /32 or /128 route in the local table,
 * dev lo, our route protocol): IPVS only sees packets addressed to the host itself, and a client
 * container's packets to a VIP or placeholder reach the host because it is their gateway (and
 * answers ARP for local addresses). A frontend stays local while IPVS still holds its service, so a
 * draining VIP keeps its established connections; it goes when the service is removed.
 */
public final class LocalFrontends implements LbApplier {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFrontends.class);

  private final LbApplier ipvsApplier;
  private final int protocol;
  private final Supplier<Routes> routesOpener;
  private final Supplier<Ipvs> ipvsOpener;
  private Routes routes;
  private Ipvs ipvs;

  LocalFrontends(
      LbApplier ipvsApplier,
      int protocol,
      Supplier<Routes> routesOpener,
      Supplier<Ipvs> ipvsOpener) {
    Routes.checkProtocol(protocol);
    this.ipvsApplier = ipvsApplier;
    this.protocol = protocol;
    this.routesOpener = routesOpener;
    this.ipvsOpener = ipvsOpener;
  }

  /**
   * Kernel IPVS through {@code ipvsApplier}, then this host's frontends made local with {@code
   * protocol}.
   */
  public static LocalFrontends over(LbApplier ipvsApplier, int protocol) {
    return new LocalFrontends(ipvsApplier, protocol, () -> Routes.open(protocol), Ipvs::open);
  }

  @Override
  public synchronized boolean apply(LbDesiredState state, Collection<IpPrefix> managedPools) {
    if (!ipvsApplier.apply(state, managedPools)) {
      return false; // no IPVS: a local VIP would only swallow packets nobody balances
    }
    Set<IpPrefix> local = new TreeSet<>();
    state.vips().stream().map(VipRoute::frontend).forEach(a -> local.add(host(a)));
    state.placeholders().stream()
        .map(PlaceholderRoute::placeholder)
        .forEach(a -> local.add(host(a)));
    try {
      if (ipvs == null) {
        ipvs = ipvsOpener.get();
      }
      if (routes == null) {
        routes = routesOpener.get();
      }
      Predicate<ServiceKey> managed = PerHostServices.managedBy(managedPools);
      for (VirtualService s : ipvs.services()) {
        if (managed.test(s.key())) {
          local.add(host(((AddressKey) s.key()).address()));
        }
      }
      LocalSync.Report r = new LocalSync(routes).sync(local);
      if (r.changed() || !r.errors().isEmpty()) {
        LOG.info(
            "event=frontends_local count={} added={} removed={} errors={}",
            local.size(),
            r.added(),
            r.removed(),
            r.errors());
      }
      if (!r.errors().isEmpty()) {
        throw new IllegalStateException(
            r.errors().size() + " frontend(s) could not be made local: " + r.errors());
      }
    } catch (RuntimeException e) {
      closeSockets();
      throw e;
    }
    return true;
  }

  private static IpPrefix host(org.clusteripam.core.net.IpAddress a) {
    return org.clusteripam.core.net.IpPrefix.of(a, a.family().bits());
  }

  private void closeSockets() {
    if (routes != null) {
      routes.close();
      routes = null;
    }
    if (ipvs != null) {
      ipvs.close();
      ipvs = null;
    }
  }

  @Override
  public synchronized void close() {
    closeSockets();
    ipvsApplier.close();
  }

  int protocol() {
    return protocol;
  }
}
