package org.clusteripam.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.lb.perhost.PerHostServices;
import org.clusteripam.lb.reconcile.DrainSysctls;
import org.clusteripam.lb.reconcile.LoadBalancerReconciler;
import org.clusteripam.lb.reconcile.ReconcileReport;

/**
 * The "perhost-desired-state" check of {@link IpvsKernelDriver}: a per-host plan translated by
 * {@link PerHostServices} and applied by the reconciler on real kernel IPVS, read back exactly (by
 * {@link Ipvs} and by ipvsadm), a backend and a placeholder removed (drained to weight 0, then
 * deleted), and an empty plan removing every per-host service and nothing else.
 */
final class PerHostKernelCheck {
  private static final HostId HOST = new HostId("uml");
  private static final IpPrefix POOL = IpPrefix.parse("10.80.0.0/16");
  private static final IpPrefix POOL6 = IpPrefix.parse("fd00:80::/64");
  private static final Instant T0 = Instant.parse("2025-02-01T00:00:00Z");

  private PerHostKernelCheck() {}

  static String run(Ipvs ipvs) throws Exception {
    // earlier checks' services
    List<String> before = IpvsKernelDriver.canonical(IpvsKernelDriver.ourListing(ipvs));
    LoadBalancerReconciler r =
        new LoadBalancerReconciler(
            ipvs,
            Duration.ofSeconds(30),
            PerHostServices.managedBy(List.of(POOL, POOL6)),
            DrainSysctls.system());

    // Why the all-ports services are persistent: ipvsadm refuses a non-persistent port-0 service
    // (the
    // kernel stores one, but ip_vs_schedule never schedules a packet on it).
    Throwable refused =
        catchThrowable(
            () -> IpvsKernelDriver.exec("ipvsadm", "-A", "-t", "10.80.9.9:0", "-s", "rr"));
    assertThat(refused).hasMessageContaining("Zero port specified for non-persistent service");
    AddressKey zero = ServiceKey.of(ip("10.80.9.9"), Protocol.TCP, 0);
    ipvs.addService(VirtualService.of(zero, "rr"));
    ipvs.deleteService(zero);

    ReconcileReport first = r.reconcile(PerHostServices.desiredServices(plan(true), "rr"), T0);
    assertThat(first.errors()).isEmpty();
    assertThat(first.converged()).isTrue();
    assertThat(first.applied()).hasSize(9 + 15); // services + destinations
    List<String> expected =
        List.of(
            "TCP 10.80.0.2:80 rr",
            "-> 10.80.1.1:80 Masq 1 0 0",
            "-> 10.80.2.1:80 Masq 1 0 0",
            "-> 10.80.3.1:80 Masq 1 0 0",
            "UDP 10.80.0.2:53 rr",
            "-> 10.80.1.1:53 Masq 1 0 0",
            "-> 10.80.2.1:53 Masq 1 0 0",
            "-> 10.80.3.1:53 Masq 1 0 0",
            "TCP 10.80.0.3:0 rr persistent 1",
            "-> 10.80.1.2:0 Masq 1 0 0",
            "-> 10.80.2.2:0 Masq 1 0 0",
            "UDP 10.80.0.3:0 rr persistent 1",
            "-> 10.80.1.2:0 Masq 1 0 0",
            "-> 10.80.2.2:0 Masq 1 0 0",
            "TCP 10.80.0.100:80 rr",
            "-> 10.80.1.1:80 Masq 1 0 0",
            "UDP 10.80.0.100:53 rr",
            "-> 10.80.1.1:53 Masq 1 0 0",
            "TCP 10.80.0.101:0 rr persistent 1",
            "-> 10.80.2.2:0 Masq 1 0 0",
            "UDP 10.80.0.101:0 rr persistent 1",
            "-> 10.80.2.2:0 Masq 1 0 0",
            "TCP [fd00:80::100]:80 rr",
            "-> [fd00:80::1:1]:80 Masq 1 0 0");
    assertThat(IpvsKernelDriver.canonical(IpvsKernelDriver.ourListing(ipvs)))
        .containsExactlyElementsOf(IpvsKernelDriver.canonical(concat(before, expected)));
    assertThat(IpvsKernelDriver.canonical(IpvsKernelDriver.ipvsadmListing()))
        .as("ipvsadm -Ln")
        .containsExactlyElementsOf(IpvsKernelDriver.canonical(IpvsKernelDriver.ourListing(ipvs)));
    assertThat(
            r.reconcile(PerHostServices.desiredServices(plan(true), "rr"), T0.plusSeconds(1))
                .applied())
        .isEmpty();

    // Task 10.80.3.1 gone from the web VIP, placeholder 10.80.0.101 gone: drained to weight 0
    // first.
    ReconcileReport drain =
        r.reconcile(PerHostServices.desiredServices(plan(false), "rr"), T0.plusSeconds(2));
    assertThat(drain.errors()).isEmpty();
    // 4 destinations, and the placeholder's 2 services waiting
    assertThat(drain.draining()).isEqualTo(6);
    List<String> drained =
        List.of(
            "TCP 10.80.0.2:80 rr",
            "-> 10.80.1.1:80 Masq 1 0 0",
            "-> 10.80.2.1:80 Masq 1 0 0",
            "-> 10.80.3.1:80 Masq 0 0 0",
            "UDP 10.80.0.2:53 rr",
            "-> 10.80.1.1:53 Masq 1 0 0",
            "-> 10.80.2.1:53 Masq 1 0 0",
            "-> 10.80.3.1:53 Masq 0 0 0",
            "TCP 10.80.0.3:0 rr persistent 1",
            "-> 10.80.1.2:0 Masq 1 0 0",
            "-> 10.80.2.2:0 Masq 1 0 0",
            "UDP 10.80.0.3:0 rr persistent 1",
            "-> 10.80.1.2:0 Masq 1 0 0",
            "-> 10.80.2.2:0 Masq 1 0 0",
            "TCP 10.80.0.100:80 rr",
            "-> 10.80.1.1:80 Masq 1 0 0",
            "UDP 10.80.0.100:53 rr",
            "-> 10.80.1.1:53 Masq 1 0 0",
            "TCP 10.80.0.101:0 rr persistent 1",
            "-> 10.80.2.2:0 Masq 0 0 0",
            "UDP 10.80.0.101:0 rr persistent 1",
            "-> 10.80.2.2:0 Masq 0 0 0",
            "TCP [fd00:80::100]:80 rr",
            "-> [fd00:80::1:1]:80 Masq 1 0 0");
    assertThat(IpvsKernelDriver.canonical(IpvsKernelDriver.ourListing(ipvs)))
        .containsExactlyElementsOf(IpvsKernelDriver.canonical(concat(before, drained)));

    // No connections: the next pass deletes the drained destinations and the placeholder's
    // services.
    ReconcileReport deleted =
        r.reconcile(PerHostServices.desiredServices(plan(false), "rr"), T0.plusSeconds(3));
    assertThat(deleted.converged()).isTrue();
    List<String> after =
        drained.stream()
            .filter(l -> !l.contains(" Masq 0 ") && !l.contains("10.80.0.101:"))
            .toList();
    assertThat(IpvsKernelDriver.canonical(IpvsKernelDriver.ourListing(ipvs)))
        .containsExactlyElementsOf(IpvsKernelDriver.canonical(concat(before, after)));

    // An empty plan drains and removes every per-host service; the earlier checks' services stay.
    LbDesiredState empty = LbDesiredState.empty(HOST);
    r.reconcile(PerHostServices.desiredServices(empty, "rr"), T0.plusSeconds(4));
    assertThat(
            r.reconcile(PerHostServices.desiredServices(empty, "rr"), T0.plusSeconds(5))
                .converged())
        .isTrue();
    assertThat(IpvsKernelDriver.canonical(IpvsKernelDriver.ourListing(ipvs)))
        .containsExactlyElementsOf(before);
    return "ipvsadm refuses a non-persistent port-0 service, the kernel takes it; 9 services/15 destinations applied and read back (Ipvs and ipvsadm agree), 4 destinations drained to weight 0"
        + " then deleted with a placeholder's 2 services, empty plan left "
        + before.size()
        + " foreign lines untouched";
  }

  /**
   * A VIP with 2 ports and 3 backends, a VIP with all ports, two IPv4 placeholders, an IPv6 one.
   */
  private static LbDesiredState plan(boolean full) {
    List<VipRoute> vips =
        List.of(
            new VipRoute(
                POOL,
                "s1",
                "web",
                ip("10.80.0.2"),
                false,
                ports("80/tcp", "53/udp"),
                full ? ips("10.80.1.1", "10.80.2.1", "10.80.3.1") : ips("10.80.1.1", "10.80.2.1")),
            new VipRoute(
                POOL,
                "s2",
                "all",
                ip("10.80.0.3"),
                true,
                List.of(),
                ips("10.80.1.2", "10.80.2.2")));
    List<PlaceholderRoute> placeholders =
        new ArrayList<>(
            List.of(
                new PlaceholderRoute(
                    POOL,
                    ip("10.80.0.100"),
                    new HostId("h1"),
                    ip("10.80.1.1"),
                    "s1",
                    ports("80/tcp", "53/udp")),
                new PlaceholderRoute(
                    POOL6,
                    ip("fd00:80::100"),
                    new HostId("h1"),
                    ip("fd00:80::1:1"),
                    "s3",
                    ports("80/tcp"))));
    if (full) {
      placeholders.add(
          new PlaceholderRoute(
              POOL, ip("10.80.0.101"), new HostId("h2"), ip("10.80.2.2"), "s2", List.of()));
    }
    return new LbDesiredState(HOST, vips, placeholders);
  }

  private static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  private static List<IpAddress> ips(String... s) {
    return Arrays.stream(s).map(IpAddress::parse).toList();
  }

  private static List<ServicePort> ports(String... s) {
    return Arrays.stream(s).map(ServicePort::parse).toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
