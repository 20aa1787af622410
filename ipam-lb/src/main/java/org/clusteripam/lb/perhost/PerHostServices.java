package org.clusteripam.lb.perhost;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.PortProtocol;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.lb.AddressKey;
import org.clusteripam.lb.ForwardMethod;
import org.clusteripam.lb.Protocol;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.VirtualService;
import org.clusteripam.lb.reconcile.Backend;
import org.clusteripam.lb.reconcile.DesiredService;

/**
 * Translates a host's per-host load-balancer plan ({@link LbDesiredState}, computed in ipam-core)
 * into the IPVS services {@link org.clusteripam.lb.reconcile.LoadBalancerReconciler} applies, and
 * tells the reconciler which services of the table are its own.
 *
 * <p>Every frontend (a service VIP or a task's placeholder) becomes one NAT service per port,
 * forwarding to the actual addresses on the same port with weight 1. A route without ports means
 * "all ports": one TCP and one UDP service on port 0.
 *
 * <p>A VIP whose service has no backends (yet, or any more) still gets its services, with no
 * destinations: IPVS answers a packet it cannot schedule with ICMP port unreachable ({@code
 * ip_vs_leave}), so clients are refused at once instead of hanging on a frontend nobody owns; and
 * when tasks come back only destinations are added, the service is not re-created.
 */
public final class PerHostServices {
  /**
   * Persistence of the all-ports (port 0) services, in seconds. IPVS schedules a non-persistent
   * service only for packets to its own port ({@code ip_vs_schedule}: "port zero only supported in
   * persistent services"), so a port-0 service must be persistent (ipvsadm refuses to create one
   * without {@code -p}: "Zero port specified for non-persistent service"; the kernel accepts it but
   * schedules nothing on it). Persistence pins a client address to one backend until this long
   * after its last connection ends: stickiness is a side effect here, not a goal, so it gets the
   * shortest non-zero timeout (the unit is seconds).
   */
  static final int ALL_PORTS_PERSISTENCE_SECONDS = 1;

  private static final Comparator<AddressKey> ORDER =
      Comparator.comparing(AddressKey::address)
          .thenComparing(AddressKey::protocol)
          .thenComparingInt(AddressKey::port);

  private PerHostServices() {}

  /**
   * The IPVS services of {@code state}, sorted by frontend address, protocol and port.
   *
   * @param scheduler the IPVS scheduler of every service ({@code rr}, {@code wrr}, ...; its module
   *     must be loaded)
   * @throws IllegalArgumentException if two routes map to the same IPVS service, or a route mixes
   *     IPv4 and IPv6 (NAT cannot forward across families); nothing is returned then
   */
  public static List<DesiredService> desiredServices(LbDesiredState state, String scheduler) {
    Objects.requireNonNull(state, "state");
    if (scheduler == null || scheduler.isBlank()) {
      throw new IllegalArgumentException(
          "an IPVS scheduler name is required (e.g. rr), got \"" + scheduler + "\"");
    }
    Map<AddressKey, DesiredService> services = new LinkedHashMap<>();
    Map<AddressKey, String> origins = new LinkedHashMap<>();
    for (VipRoute vip : state.vips()) {
      String origin = describe(vip);
      for (IpAddress backend : vip.backends()) {
        requireSameFamily(vip.frontend(), backend, origin);
      }
      add(services, origins, vip.frontend(), vip.ports(), vip.backends(), scheduler, origin);
    }
    for (PlaceholderRoute p : state.placeholders()) {
      String origin = describe(p);
      requireSameFamily(p.placeholder(), p.actual(), origin);
      add(services, origins, p.placeholder(), p.ports(), List.of(p.actual()), scheduler, origin);
    }
    return services.keySet().stream().sorted(ORDER).map(services::get).toList();
  }

  /**
   * Which services of the IPVS table are this host's per-host services: those whose frontend lies
   * in one of {@code pools}. Services of routes that disappeared are then drained and removed;
   * everything else (swarm's fwmark services, other software's services) is never touched.
   */
  public static Predicate<ServiceKey> managedBy(Collection<IpPrefix> pools) {
    List<IpPrefix> copy = List.copyOf(pools);
    return key ->
        key instanceof AddressKey a && copy.stream().anyMatch(pool -> pool.contains(a.address()));
  }

  private static void add(
      Map<AddressKey, DesiredService> services,
      Map<AddressKey, String> origins,
      IpAddress frontend,
      List<ServicePort> ports,
      List<IpAddress> backends,
      String scheduler,
      String origin) {
    List<DesiredService> out = new ArrayList<>();
    if (ports.isEmpty()) {
      for (Protocol protocol : List.of(Protocol.TCP, Protocol.UDP)) {
        // Port 0 on the destinations: the client's destination port is kept.
        VirtualService service =
            VirtualService.of(new AddressKey(frontend, protocol, 0), scheduler)
                .withPersistence(ALL_PORTS_PERSISTENCE_SECONDS);
        out.add(new DesiredService(service, ForwardMethod.MASQ, backends(backends, 0)));
      }
    } else {
      for (ServicePort port : ports) {
        AddressKey key = new AddressKey(frontend, protocol(port.protocol()), port.port());
        out.add(
            new DesiredService(
                VirtualService.of(key, scheduler),
                ForwardMethod.MASQ,
                backends(backends, port.port())));
      }
    }
    for (DesiredService d : out) {
      AddressKey key = (AddressKey) d.key();
      String earlier = origins.putIfAbsent(key, origin);
      if (earlier != null) {
        throw new IllegalArgumentException(
            "two routes map to the IPVS service " + key + ": " + earlier + " and " + origin);
      }
      services.put(key, d);
    }
  }

  private static List<Backend> backends(List<IpAddress> addresses, int port) {
    return addresses.stream().map(a -> new Backend(a, port, 1)).toList();
  }

  private static Protocol protocol(PortProtocol p) {
    return switch (p) {
      case TCP -> Protocol.TCP;
      case UDP -> Protocol.UDP;
      case SCTP -> Protocol.SCTP;
    };
  }

  private static void requireSameFamily(IpAddress frontend, IpAddress backend, String origin) {
    if (frontend.family() != backend.family()) {
      throw new IllegalArgumentException(
          "cannot forward "
              + frontend
              + " to "
              + backend
              + " (IPVS NAT needs one address family): "
              + origin);
    }
  }

  private static String describe(VipRoute vip) {
    return (vip.hostVip() ? "host VIP " : "VIP ")
        + vip.frontend()
        + " of service "
        + vip.serviceName()
        + " ("
        + vip.serviceId()
        + ") in "
        + vip.pool();
  }

  private static String describe(PlaceholderRoute p) {
    return "placeholder "
        + p.placeholder()
        + " -> "
        + p.actual()
        + " on host "
        + p.host()
        + (p.serviceId().isEmpty() ? "" : " of service " + p.serviceId())
        + " in "
        + p.pool();
  }
}
