package org.clusteripam.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.lb.netlink.Errnos;
import org.clusteripam.lb.reconcile.Backend;
import org.clusteripam.lb.reconcile.DesiredService;
import org.clusteripam.lb.reconcile.DrainSysctls;
import org.clusteripam.lb.reconcile.LoadBalancerReconciler;
import org.clusteripam.lb.reconcile.ReconcileReport;
import org.clusteripam.testkit.uml.GuestReport;

/**
 * Runs inside user-mode-linux (see {@link IpvsKernelTest}) against real kernel IPVS. Writes one
 * line per check to {@code <out>/report.txt}: "PASS name: detail" or "FAIL name: reason"; exits 1
 * if any check failed. Not a JUnit class: the host test asserts on the report.
 */
public final class IpvsKernelDriver {
  static final List<String> CHECKS =
      List.of(
          "info",
          "ipv4-lifecycle",
          "ipv6-lifecycle",
          "fwmark-lifecycle",
          "errno-EEXIST",
          "errno-ESRCH",
          "errno-ENOENT",
          "errno-EINVAL",
          "errno-ERANGE",
          "batch-partial-failure",
          "reconcile-converges",
          "reconcile-drains",
          "reconcile-removes-service",
          "sysctls",
          "ipvsadm-cross-check",
          "ipvsadm-writes-we-read",
          "perhost-desired-state",
          "errno-EPERM"); // EPERM drops root: last

  private final GuestReport report;

  private IpvsKernelDriver(GuestReport report) {
    this.report = report;
  }

  /** setresuid/setresgid, to reach EPERM as an unprivileged user at the end. */
  public interface Cred {
    int setresgid(int r, int e, int s);

    int setresuid(int r, int e, int s);
  }

  public static void main(String[] args) throws Exception {
    try (GuestReport report = GuestReport.open(Path.of(args[0]))) {
      new IpvsKernelDriver(report).runAll();
      report.finish(CHECKS.size());
    }
  }

  private void check(String name, GuestReport.Check body) {
    report.check(name, body);
  }

  static final IpAddress V4 = IpAddress.parse("10.0.0.1");
  static final IpAddress V6 = IpAddress.parse("fd00::1");

  private void runAll() throws Exception {
    try (Ipvs ipvs = Ipvs.open()) {
      ipvs.flush();
      check(
          "info",
          () -> {
            IpvsInfo info = ipvs.info();
            assertThat(info.versionString()).isEqualTo("1.2.1");
            // The kernel's own header line says the same size ("(size=4096)"); kernels with a
            // resizable connection table (7.x) report 0 in both until it grows.
            String header = Files.readAllLines(Path.of("/proc/net/ip_vs")).get(0);
            assertThat(header).contains("version " + info.versionString());
            assertThat(header).contains("(size=" + info.connectionTableSize() + ")");
            assertThat(info.connectionTableSize()).isNotNegative();
            return "IPVS "
                + info.versionString()
                + " conn table "
                + info.connectionTableSize()
                + " ("
                + header
                + ")";
          });
      check(
          "ipv4-lifecycle",
          () ->
              lifecycle(
                  ipvs,
                  ServiceKey.of(V4, Protocol.TCP, 80),
                  IpAddress.parse("10.1.0.1"),
                  IpAddress.parse("10.1.0.2")));
      check(
          "ipv6-lifecycle",
          () ->
              lifecycle(
                  ipvs,
                  ServiceKey.of(V6, Protocol.UDP, 53),
                  IpAddress.parse("fd00::1:1"),
                  IpAddress.parse("fd00::1:2")));
      check(
          "fwmark-lifecycle",
          () ->
              lifecycle(
                      ipvs,
                      ServiceKey.fwmark(IpFamily.IPV4, 100),
                      IpAddress.parse("10.2.0.1"),
                      IpAddress.parse("10.2.0.2"))
                  + "; "
                  + lifecycle(
                      ipvs,
                      ServiceKey.fwmark(IpFamily.IPV6, 200),
                      IpAddress.parse("fd00::2:1"),
                      IpAddress.parse("fd00::2:2")));
      errors(ipvs);
      check(
          "batch-partial-failure",
          () -> {
            AddressKey k = ServiceKey.of(IpAddress.parse("10.0.0.50"), Protocol.TCP, 80);
            List<IpvsOp> ops = new ArrayList<>();
            ops.add(new IpvsOp.AddService(VirtualService.of(k, "rr")));
            for (int i = 1; i <= 100; i++) {
              ops.add(
                  new IpvsOp.AddDestination(
                      k, Destination.of(IpAddress.parse("10.3.0." + i), 80, 1)));
            }
            ops.add(
                50,
                new IpvsOp.AddDestination(k, Destination.of(IpAddress.parse("10.3.0.7"), 80, 1)));
            List<Ipvs.Result> results = ipvs.apply(ops);
            assertThat(results).hasSize(102);
            assertThat(results.get(50).errno()).isEqualTo(Errnos.EEXIST);
            assertThat(results.stream().filter(Ipvs.Result::ok).count()).isEqualTo(101);
            assertThat(ipvs.destinations(k)).hasSize(100);
            ipvs.deleteService(k);
            return "102 ops in 2 datagrams, #50 EEXIST, 101 applied";
          });
      reconcile(ipvs);
      check("perhost-desired-state", () -> PerHostKernelCheck.run(ipvs));
    }
    check("errno-EPERM", IpvsKernelDriver::eperm);
  }

  /** Create, list, get, update, drain, delete: one service with two destinations. */
  private static String lifecycle(Ipvs ipvs, ServiceKey key, IpAddress a, IpAddress b) {
    int port = key instanceof AddressKey ? 8080 : 0;
    ipvs.addService(VirtualService.of(key, "rr"));
    assertThat(ipvs.services()).extracting(VirtualService::key).contains(key);
    VirtualService s = ipvs.service(key).orElseThrow();
    assertThat(s.scheduler()).isEqualTo("rr");
    assertThat(s.userFlags()).isZero();
    ipvs.updateService(s.withScheduler("wrr").withPersistence(60));
    VirtualService u = ipvs.service(key).orElseThrow();
    assertThat(u.scheduler()).isEqualTo("wrr");
    assertThat(u.timeout()).isEqualTo(60);
    assertThat(u.userFlags()).isEqualTo(VirtualService.FLAG_PERSISTENT);

    ipvs.addDestination(key, Destination.of(a, port, 1));
    ipvs.addDestination(key, Destination.of(b, port, 2).withThresholds(100, 10));
    List<Destination> ds = ipvs.destinations(key);
    assertThat(ds).extracting(Destination::address).containsExactlyInAnyOrder(a, b);
    Destination db = ds.stream().filter(d -> d.address().equals(b)).findFirst().orElseThrow();
    assertThat(db.weight()).isEqualTo(2);
    assertThat(db.upperThreshold()).isEqualTo(100);
    assertThat(db.lowerThreshold()).isEqualTo(10);
    assertThat(db.port()).isEqualTo(port);
    assertThat(db.forward()).isEqualTo(ForwardMethod.MASQ);
    assertThat(db.activeConnections()).isZero();

    ipvs.updateDestination(key, Destination.of(a, port, 7));
    assertThat(weightOf(ipvs, key, a)).isEqualTo(7);
    ipvs.updateDestination(key, Destination.of(a, port, 0)); // drain
    assertThat(weightOf(ipvs, key, a)).isZero();
    ipvs.deleteDestination(key, a, port);
    assertThat(ipvs.destinations(key)).extracting(Destination::address).containsExactly(b);
    ipvs.deleteService(key);
    assertThat(ipvs.service(key)).isEmpty();
    assertThat(ipvs.services()).extracting(VirtualService::key).doesNotContain(key);
    return key + " created/listed/updated/drained/deleted";
  }

  private static int weightOf(Ipvs ipvs, ServiceKey key, IpAddress a) {
    return ipvs.destinations(key).stream()
        .filter(d -> d.address().equals(a))
        .findFirst()
        .orElseThrow()
        .weight();
  }

  private void errors(Ipvs ipvs) {
    AddressKey k = ServiceKey.of(IpAddress.parse("10.0.0.2"), Protocol.TCP, 80);
    AddressKey missing = ServiceKey.of(IpAddress.parse("10.0.0.3"), Protocol.TCP, 80);
    IpAddress real = IpAddress.parse("10.1.0.9");
    ipvs.addService(VirtualService.of(k, "rr"));
    ipvs.addDestination(k, Destination.of(real, 80, 1));
    check(
        "errno-EEXIST",
        () ->
            expect(
                    Errnos.EEXIST,
                    () -> ipvs.addService(VirtualService.of(k, "rr")),
                    "add service TCP 10.0.0.2:80")
                + "; "
                + expect(
                    Errnos.EEXIST,
                    () -> ipvs.addDestination(k, Destination.of(real, 80, 1)),
                    "add destination 10.1.0.9:80 to TCP 10.0.0.2:80"));
    check(
        "errno-ESRCH",
        () ->
            expect(Errnos.ESRCH, () -> ipvs.deleteService(missing), "delete service")
                + "; "
                + expect(
                    Errnos.ESRCH,
                    () -> ipvs.updateService(VirtualService.of(missing, "rr")),
                    "update service")
                + "; "
                + expect(
                    Errnos.ESRCH,
                    () -> ipvs.addDestination(missing, Destination.of(real, 80, 1)),
                    "add destination"));
    check(
        "errno-ENOENT",
        () ->
            expect(
                    Errnos.ENOENT,
                    () -> ipvs.deleteDestination(k, IpAddress.parse("10.1.0.99"), 80),
                    "delete destination")
                + "; "
                + expect(
                    Errnos.ENOENT,
                    () ->
                        ipvs.updateDestination(
                            k, Destination.of(IpAddress.parse("10.1.0.99"), 80, 1)),
                    "update destination")
                + "; "
                + expect(
                    Errnos.ENOENT,
                    () -> ipvs.addService(VirtualService.of(missing, "nosuchsched")),
                    "add service"));
    check(
        "errno-EINVAL",
        () ->
            expect(
                    Errnos.EINVAL,
                    () ->
                        ipvs.addDestination(k, Destination.of(IpAddress.parse("224.0.0.1"), 80, 1)),
                    "multicast destination")
                + "; "
                + expect(
                    Errnos.EINVAL,
                    () ->
                        ipvs.addService(
                            new VirtualService(
                                ServiceKey.of(V6, Protocol.TCP, 1), "rr", 0, 0, 0, IpvsStats.ZERO)),
                    "IPv6 netmask 0")
                + "; "
                + expect(
                    Errnos.EINVAL,
                    () -> ipvs.addDestination(k, Destination.of(IpAddress.parse("fd00::9"), 80, 1)),
                    "IPv6 masq behind IPv4"));
    check(
        "errno-ERANGE",
        () ->
            expect(
                    Errnos.ERANGE,
                    () ->
                        ipvs.addDestination(
                            k,
                            Destination.of(IpAddress.parse("10.1.0.10"), 80, 1)
                                .withThresholds(5, 10)),
                    "lower threshold above upper")
                + "; "
                + expect(
                    Errnos.ERANGE,
                    () -> ipvs.updateDestination(k, Destination.of(real, 80, -1)),
                    "negative weight"));
    ipvs.deleteService(k);
  }

  private static String expect(int errno, Runnable call, String what) {
    IpvsException e = catchThrowableOfType(IpvsException.class, call::run);
    assertThat(e).as(what + " should fail with " + Errnos.name(errno)).isNotNull();
    assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno);
    assertThat(e.getMessage()).contains(Errnos.name(errno));
    return what + " -> " + e.getMessage();
  }

  private void reconcile(Ipvs ipvs) throws Exception {
    LoadBalancerReconciler r =
        new LoadBalancerReconciler(ipvs, Duration.ofSeconds(30), k -> true, DrainSysctls.system());
    AddressKey web = ServiceKey.of(IpAddress.parse("10.0.0.10"), Protocol.TCP, 80);
    AddressKey dns = ServiceKey.of(IpAddress.parse("fd00::10"), Protocol.UDP, 53);
    FwmarkKey mark = ServiceKey.fwmark(IpFamily.IPV4, 300);
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    List<DesiredService> desired =
        new ArrayList<>(
            List.of(
                DesiredService.of(
                    web,
                    "rr",
                    Backend.of("10.1.0.1", 8080, 1),
                    Backend.of("10.1.0.2", 8080, 2),
                    Backend.of("10.1.0.3", 8080, 3)),
                DesiredService.of(
                    dns, "wrr", Backend.of("fd00::1:1", 53, 1), Backend.of("fd00::1:2", 53, 5)),
                DesiredService.of(mark, "sh", Backend.of("10.2.0.1", 0, 1))));
    check(
        "reconcile-converges",
        () -> {
          ReconcileReport first = r.reconcile(desired, t0);
          assertThat(first.applied()).hasSize(9);
          assertThat(first.converged()).isTrue();
          ReconcileReport second = r.reconcile(desired, t0.plusSeconds(1));
          assertThat(second.applied()).isEmpty();
          assertThat(second.converged()).isTrue();
          assertThat(ipvs.destinations(web)).hasSize(3);
          return "9 changes, then none: " + first;
        });
    check(
        "reconcile-drains",
        () -> {
          desired.set(
              0,
              DesiredService.of(
                  web,
                  "rr",
                  Backend.of("10.1.0.1", 8080, 4),
                  Backend.of("10.1.0.2", 8080, 2),
                  Backend.of("10.1.0.4", 8080, 1)));
          desired.set(
              1,
              DesiredService.of(
                  dns, "rr", Backend.of("fd00::1:1", 53, 1), Backend.of("fd00::1:2", 53, 5)));
          ReconcileReport pass = r.reconcile(desired, t0.plusSeconds(2));
          assertThat(pass.applied()).hasSize(4); // scheduler, weight, add, drain
          assertThat(pass.draining()).isEqualTo(1);
          assertThat(pass.converged()).isFalse();
          assertThat(weightOf(ipvs, web, IpAddress.parse("10.1.0.3"))).isZero();
          assertThat(weightOf(ipvs, web, IpAddress.parse("10.1.0.1"))).isEqualTo(4);
          assertThat(ipvs.service(dns).orElseThrow().scheduler()).isEqualTo("rr");
          ReconcileReport next = r.reconcile(desired, t0.plusSeconds(3));
          assertThat(next.applied()).singleElement().isInstanceOf(IpvsOp.DeleteDestination.class);
          assertThat(next.converged()).isTrue();
          assertThat(ipvs.destinations(web))
              .extracting(d -> d.address().toString())
              .containsExactlyInAnyOrder("10.1.0.1", "10.1.0.2", "10.1.0.4");
          assertThat(r.reconcile(desired, t0.plusSeconds(4)).applied()).isEmpty();
          return "drained 10.1.0.3 to weight 0, deleted it next pass (0 active connections)";
        });
    check(
        "reconcile-removes-service",
        () -> {
          desired.remove(2);
          ReconcileReport pass = r.reconcile(desired, t0.plusSeconds(5));
          assertThat(pass.draining())
              .isEqualTo(2); // the destination and the service waiting for it
          assertThat(ipvs.service(mark)).isPresent();
          ReconcileReport next = r.reconcile(desired, t0.plusSeconds(6));
          assertThat(next.converged()).isTrue();
          assertThat(ipvs.service(mark)).isEmpty();
          return "fwmark service drained, then deleted: " + next.applied().size() + " changes";
        });
    check(
        "sysctls",
        () -> {
          for (String name : DrainSysctls.NAMES) {
            String v = Files.readString(Path.of("/proc/sys/" + name.replace('.', '/'))).trim();
            assertThat(v).as(name).isEqualTo("1");
          }
          return String.valueOf(r.reconcile(desired, t0.plusSeconds(7)).sysctls());
        });
    check(
        "ipvsadm-cross-check",
        () -> {
          List<String> theirs = canonical(ipvsadmListing());
          List<String> ours = canonical(ourListing(ipvs));
          assertThat(theirs).containsExactlyElementsOf(ours);
          return "ipvsadm -Ln agrees on " + ours.size() + " lines: " + ours;
        });
    check(
        "ipvsadm-writes-we-read",
        () -> {
          exec("ipvsadm", "-A", "-t", "10.9.9.9:99", "-s", "wrr", "-p", "120");
          exec(
              "ipvsadm",
              "-a",
              "-t",
              "10.9.9.9:99",
              "-r",
              "10.9.0.1:99",
              "-m",
              "-w",
              "3",
              "-x",
              "50",
              "-y",
              "5");
          AddressKey k = ServiceKey.of(IpAddress.parse("10.9.9.9"), Protocol.TCP, 99);
          VirtualService s = ipvs.service(k).orElseThrow();
          assertThat(s.scheduler()).isEqualTo("wrr");
          assertThat(s.timeout()).isEqualTo(120);
          Destination d = ipvs.destinations(k).get(0);
          assertThat(d.weight()).isEqualTo(3);
          assertThat(d.upperThreshold()).isEqualTo(50);
          assertThat(d.lowerThreshold()).isEqualTo(5);
          ipvs.deleteService(k);
          return "read back ipvsadm's service and destination: " + s.key() + " " + d;
        });
  }

  /** Drops root, then IPVS must refuse: every IPVS command needs CAP_NET_ADMIN. */
  private static String eperm() {
    Cred cred = LibraryLoader.create(Cred.class).load("c");
    assertThat(cred.setresgid(65534, 65534, 65534)).isZero();
    assertThat(cred.setresuid(65534, 65534, 65534)).isZero();
    try (Ipvs ipvs = Ipvs.open()) {
      return expect(
              Errnos.EPERM,
              () -> ipvs.addService(VirtualService.of(ServiceKey.of(V4, Protocol.TCP, 81), "rr")),
              "add service as nobody")
          + "; "
          + expect(Errnos.EPERM, ipvs::services, "list services as nobody");
    }
  }

  static List<String> ourListing(Ipvs ipvs) {
    List<String> out = new ArrayList<>();
    List<VirtualService> services = new ArrayList<>(ipvs.services());
    for (VirtualService s : services) {
      StringBuilder line = new StringBuilder();
      if (s.key() instanceof AddressKey a) {
        line.append(a.protocol()).append(' ').append(endpoint(a.address(), a.port()));
      } else if (s.key() instanceof FwmarkKey f) {
        line.append("FWM ").append(Integer.toUnsignedString(f.mark()));
        if (f.family() == IpFamily.IPV6) {
          line.append(" IPv6");
        }
      }
      line.append(' ').append(s.scheduler());
      if ((s.flags() & VirtualService.FLAG_PERSISTENT) != 0) {
        line.append(" persistent ").append(s.timeout());
      }
      out.add(line.toString());
      for (Destination d : ipvs.destinations(s.key())) {
        out.add(
            "-> "
                + endpoint(d.address(), d.port())
                + " "
                + forwardName(d.forward())
                + " "
                + d.weight()
                + " "
                + d.activeConnections()
                + " "
                + d.inactiveConnections());
      }
    }
    return out;
  }

  private static String endpoint(IpAddress a, int port) {
    return (a.isV4() ? a.toString() : "[" + a + "]") + ":" + port;
  }

  private static String forwardName(ForwardMethod f) {
    return switch (f) {
      case MASQ -> "Masq";
      case LOCAL -> "Local";
      case TUNNEL -> "Tunnel";
      case DIRECT_ROUTE -> "Route";
      case BYPASS -> "Bypass";
    };
  }

  /** ipvsadm sorts services and destinations its own way: compare blocks in one order. */
  static List<String> canonical(List<String> lines) {
    List<List<String>> blocks = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("->")) {
        blocks.get(blocks.size() - 1).add(line);
      } else {
        blocks.add(new ArrayList<>(List.of(line)));
      }
    }
    List<String> out = new ArrayList<>();
    blocks.stream()
        .map(
            b ->
                b.get(0)
                    + "\n"
                    + String.join("\n", b.subList(1, b.size()).stream().sorted().toList()))
        .sorted()
        .forEach(b -> out.addAll(List.of(b.split("\n"))));
    return out;
  }

  /** ipvsadm -Ln without its three header lines, whitespace collapsed. */
  static List<String> ipvsadmListing() throws IOException, InterruptedException {
    String text = exec("ipvsadm", "-Ln");
    List<String> out = new ArrayList<>();
    String[] lines = text.split("\n");
    for (int i = 3; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        out.add(lines[i].trim().replaceAll("\\s+", " "));
      }
    }
    return out;
  }

  static String exec(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IOException(String.join(" ", command) + " exited " + rc + ": " + output);
      }
      return output;
    } finally {
      p.destroyForcibly();
    }
  }
}
