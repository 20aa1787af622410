package org.clusteripam.daemon.perhost;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.lb.AddressKey;
import org.clusteripam.lb.Ipvs;
import org.clusteripam.lb.VirtualService;
import org.clusteripam.testkit.uml.GuestReport;

/**
 * Runs inside user-mode-linux (real kernel IPVS): the daemon's own per-host loop — the engine on a
 * store, swarm's manager and two nodes driven through it, a catalog source, {@link IpvsApplier} in
 * mode {@code on} — and checks the kernel's table after each pass, reporting on a {@link
 * GuestReport}. Not a JUnit class.
 */
public final class PerHostKernelDriver {
  static final List<String> CHECKS =
      List.of("first-pass-programs-vips-and-placeholders", "a-released-task-is-drained");
  static final IpPrefix POOL = IpPrefix.parse("10.94.0.0/24");
  static final ServicePort HTTP = ServicePort.parse("80/tcp");

  private PerHostKernelDriver() {}

  public static void main(String[] args) throws Exception {
    try (GuestReport report = GuestReport.open(Path.of(args[0]))) {
      try {
        run(report);
      } catch (Throwable t) {
        report.fail("setup", t);
      }
      report.finish(CHECKS.size());
    }
  }

  private static void run(GuestReport report) {
    HostId manager = new HostId("m1");
    HostId h1 = new HostId("h1");
    HostId h2 = new HostId("h2");
    IpamEngine ipam =
        IpamEngine.open(new InMemoryStateStore(), IpamConfig.defaults(), Clock.systemUTC());
    Map<String, String> perHost = Map.of("addressing", "per-host");
    PoolId g =
        ipam.driver()
            .requestPool(
                new PoolRequest(
                    manager,
                    "ClusterIpamGlobal",
                    Optional.of(POOL),
                    Optional.empty(),
                    perHost,
                    false))
            .id();
    IpAddress vip =
        ipam.driver()
            .requestAddress(
                new AddressRequest(
                    manager, g, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    IpAddress t1 =
        ipam.driver()
            .requestAddress(
                new AddressRequest(
                    manager, g, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    IpAddress t2 =
        ipam.driver()
            .requestAddress(
                new AddressRequest(
                    manager, g, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    PoolId l1 =
        ipam.driver()
            .requestPool(
                new PoolRequest(
                    h1, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), perHost, false))
            .id();
    PoolId l2 =
        ipam.driver()
            .requestPool(
                new PoolRequest(
                    h2, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), perHost, false))
            .id();
    IpAddress a1 =
        ipam.driver()
            .requestAddress(
                new AddressRequest(h1, l1, Optional.of(t1), AddressKind.ENDPOINT, Map.of()))
            .address();
    IpAddress a2 =
        ipam.driver()
            .requestAddress(
                new AddressRequest(h2, l2, Optional.of(t2), AddressKind.ENDPOINT, Map.of()))
            .address();
    CatalogService web =
        new CatalogService(
            "svc1",
            "web",
            Optional.of(vip),
            List.of(HTTP),
            List.of(new CatalogTask("task1", t1), new CatalogTask("task2", t2)));
    CatalogSource source = known -> new CatalogRead.Catalog(Map.of(POOL, List.of(web)), List.of());
    PerHostLoop loop =
        new PerHostLoop(
            ipam.perHost(),
            h1,
            source,
            IpvsApplier.forMode(LoadBalancerMode.ON, Clock.systemUTC()),
            Duration.ofSeconds(5),
            new PerHostMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC());
    report.check(
        CHECKS.get(0),
        () -> {
          require(
              loop.pass() && loop.last().orElseThrow().applied(),
              "pass did not apply: " + loop.last());
          IpAddress own = ipam.perHost().serviceVips(h1, l1).get(0).address();
          TreeSet<String> want =
              new TreeSet<>(
                  List.of(
                      line(vip, a1, 1),
                      line(vip, a2, 1),
                      line(own, a1, 1),
                      line(own, a2, 1),
                      line(t1, a1, 1),
                      line(t2, a2, 1)));
          TreeSet<String> got = table();
          require(got.equals(want), "kernel table " + got + ", expected " + want);
          return got.size()
              + " destinations: swarm VIP "
              + vip
              + " and h1's VIP "
              + own
              + " -> "
              + a1
              + ", "
              + a2
              + "; placeholders mapped";
        });

    report.check(
        CHECKS.get(1),
        () -> {
          // task2's container went on h2: its mapping goes with it
          ipam.driver().releaseAddress(h2, l2, a2);
          require(loop.pass(), "second pass failed");
          IpAddress own = ipam.perHost().serviceVips(h1, l1).get(0).address();
          TreeSet<String> got = table();
          TreeSet<String> want =
              new TreeSet<>(
                  List.of(
                      line(vip, a1, 1),
                      line(vip, a2, 0),
                      line(own, a1, 1),
                      line(own, a2, 0),
                      line(t1, a1, 1),
                      line(t2, a2, 0)));
          require(
              got.equals(want),
              "kernel table " + got + ", expected " + want + " (a2 drained to weight 0)");
          return "a2 drained to weight 0 in every service";
        });
  }

  /** Every destination of every TCP address service in the pool: "vip:port -> dest:port w=N". */
  private static TreeSet<String> table() {
    TreeSet<String> out = new TreeSet<>();
    try (Ipvs ipvs = Ipvs.open()) {
      for (VirtualService s : ipvs.services()) {
        if (s.key() instanceof AddressKey k && POOL.contains(k.address())) {
          ipvs.destinations(k)
              .forEach(
                  d ->
                      out.add(
                          k.address()
                              + ":"
                              + k.port()
                              + " -> "
                              + d.address()
                              + ":"
                              + d.port()
                              + " w="
                              + d.weight()));
        }
      }
    }
    return out;
  }

  private static String line(IpAddress front, IpAddress back, int weight) {
    return front + ":80 -> " + back + ":80 w=" + weight;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
