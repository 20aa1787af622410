package org.clusteripam.lb.route;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.lb.netlink.Errnos;
import org.clusteripam.lb.netlink.NetlinkException;
import org.clusteripam.testkit.uml.GuestReport;

/**
 * Runs inside user-mode-linux (see {@link RouteKernelTest}) against the real kernel's routing
 * table, cross-checked with iproute2. Writes "PASS name: detail" / "FAIL name: reason" lines to
 * {@code <out>/report.txt}.
 */
public final class RouteKernelDriver {
  static final List<String> CHECKS =
      List.of(
          "add",
          "add-EEXIST",
          "replace",
          "delete",
          "delete-ESRCH",
          "ipv6-lifecycle",
          "foreign-untouched",
          "sync-converges",
          "withdrawn-block-route-goes",
          "unreachable-gateway-reported",
          "local-routes");
  static final int PROTO = 201;

  private final GuestReport report;

  private RouteKernelDriver(GuestReport report) {
    this.report = report;
  }

  public static void main(String[] args) throws Exception {
    try (GuestReport report = GuestReport.open(Path.of(args[0]))) {
      new RouteKernelDriver(report).runAll();
      report.finish(CHECKS.size());
    }
  }

  private void runAll() throws Exception {
    sh(
        "ip link add d0 type dummy && ip link set d0 up && ip addr add 192.0.2.1/24 dev d0"
            + " && ip -6 addr add 2001:db8::1/64 dev d0 nodad");
    try (Routes routes = Routes.open(PROTO)) {
      check(
          "add",
          () -> {
            routes.add(route("10.99.1.0/24 via 192.0.2.2"));
            expectOurs(routes, "10.99.1.0/24 via 192.0.2.2");
            return "iproute2 and our dump both see it";
          });
      check(
          "add-EEXIST",
          () -> errno(Errnos.EEXIST, () -> routes.add(route("10.99.1.0/24 via 192.0.2.3"))));
      check(
          "replace",
          () -> {
            routes.replace(route("10.99.1.0/24 via 192.0.2.3"));
            expectOurs(routes, "10.99.1.0/24 via 192.0.2.3");
            return "gateway now 192.0.2.3";
          });
      check(
          "delete",
          () -> {
            routes.delete(IpPrefix.parse("10.99.1.0/24"));
            expectOurs(routes);
            return "gone";
          });
      check(
          "delete-ESRCH",
          () -> errno(Errnos.ESRCH, () -> routes.delete(IpPrefix.parse("10.99.1.0/24"))));
      check(
          "ipv6-lifecycle",
          () -> {
            routes.add(Route.of("2001:db8:99::/64", "2001:db8::2"));
            expect(
                ip("-6 route show table main proto " + PROTO),
                "2001:db8:99::/64 via 2001:db8::2 dev d0 metric 1024 pref medium");
            routes.replace(Route.of("2001:db8:99::/64", "2001:db8::3"));
            expectMine(routes, Route.of("2001:db8:99::/64", "2001:db8::3"));
            routes.delete(IpPrefix.parse("2001:db8:99::/64"));
            expect(ip("-6 route show table main proto " + PROTO), "");
            return "add, replace, delete";
          });
      check(
          "foreign-untouched",
          () -> {
            sh(
                "ip route add 10.99.5.0/24 via 192.0.2.5 proto static && ip route add 10.99.6.0/24 via 192.0.2.6");
            String before = ip("-4 route show table main");
            if (!before.contains("10.99.5.0/24 via 192.0.2.5 dev d0 proto static")) {
              throw new AssertionError("setup: " + before);
            }
            errno(Errnos.ESRCH, () -> routes.delete(IpPrefix.parse("10.99.5.0/24")));
            RouteSync.Report r =
                new RouteSync(routes).sync(List.of(Route.of("10.99.5.0/24", "192.0.2.2")));
            if (!r.conflicts().equals(List.of(Route.of("10.99.5.0/24", "192.0.2.2")))
                || r.changed()) {
              throw new AssertionError("expected one conflict and no change, got " + r);
            }
            new RouteSync(routes).sync(List.of());
            expect(ip("-4 route show table main"), before);
            sh("ip route del 10.99.5.0/24 && ip route del 10.99.6.0/24");
            return "a delete naming our protocol is ESRCH for a static route; sync reports a conflict and leaves it";
          });
      RouteSync sync = new RouteSync(routes);
      check(
          "sync-converges",
          () -> {
            String[] moved = {
              "10.99.1.0/24 via 192.0.2.4",
              "10.99.2.0/24 via 192.0.2.3",
              "10.99.3.0/26 via 192.0.2.4"
            };
            RouteSync.Report a =
                sync.sync(
                    routes(
                        "10.99.1.0/24 via 192.0.2.2",
                        "10.99.2.0/24 via 192.0.2.3",
                        "10.99.3.0/26 via 192.0.2.4"));
            if (a.added().size() != 3 || !a.errors().isEmpty()) {
              throw new AssertionError("first sync: " + a);
            }
            RouteSync.Report b = sync.sync(routes(moved));
            if (b.replaced().size() != 1 || !b.added().isEmpty() || !b.removed().isEmpty()) {
              throw new AssertionError("second sync: " + b);
            }
            RouteSync.Report c = sync.sync(routes(moved));
            if (c.changed()) {
              throw new AssertionError("third sync changed: " + c);
            }
            expectShown(moved);
            return "3 added, 1 replaced, idempotent";
          });
      check(
          "withdrawn-block-route-goes",
          () -> {
            RouteSync.Report r =
                sync.sync(routes("10.99.1.0/24 via 192.0.2.4", "10.99.2.0/24 via 192.0.2.3"));
            if (!r.removed().equals(List.of(IpPrefix.parse("10.99.3.0/26")))) {
              throw new AssertionError("expected 10.99.3.0/26 removed: " + r);
            }
            expect(ip("-4 route show 10.99.3.0/26"), "");
            sync.sync(List.of());
            expectShown();
            return "the /26 went, then all";
          });
      check(
          "unreachable-gateway-reported",
          () -> {
            RouteSync.Report r =
                sync.sync(routes("10.99.7.0/24 via 198.51.100.1", "10.99.8.0/24 via 192.0.2.2"));
            if (!r.errors().containsKey(IpPrefix.parse("10.99.7.0/24"))
                || !r.added().equals(routes("10.99.8.0/24 via 192.0.2.2"))) {
              throw new AssertionError(
                  "expected an error for the off-link gateway and the other route added: " + r);
            }
            sync.sync(List.of());
            return r.errors().toString();
          });
      check(
          "local-routes",
          () -> {
            LocalSync local = new LocalSync(routes);
            LocalSync.Report a =
                local.sync(
                    List.of(IpPrefix.parse("10.96.0.10/32"), IpPrefix.parse("192.0.2.1/32")));
            if (!a.added().equals(List.of(IpPrefix.parse("10.96.0.10/32")))
                || !a.errors().isEmpty()) {
              throw new AssertionError(
                  "expected only the VIP added (192.0.2.1 is d0's address): " + a);
            }
            expect(
                ip("-4 route show table local proto " + PROTO),
                "local 10.96.0.10 dev lo scope host");
            if (!ip("-4 route get 10.96.0.10").startsWith("local 10.96.0.10 dev lo")) {
              throw new AssertionError(
                  "the kernel does not deliver 10.96.0.10 locally: "
                      + ip("-4 route get 10.96.0.10"));
            }
            local.sync(List.of());
            expect(ip("-4 route show table local proto " + PROTO), "");
            if (!ip("-4 route show table local").contains("local 192.0.2.1 dev d0")) {
              throw new AssertionError("d0's own local route went");
            }
            return "the kernel delivers the VIP locally, then the route goes again";
          });
    }
  }

  /** A route from its iproute2 text, {@code "PREFIX via GATEWAY"}. */
  private static Route route(String text) {
    String[] p = text.split(" via ");
    return Route.of(p[0], p[1]);
  }

  private static List<Route> routes(String... texts) {
    return Stream.of(texts).map(RouteKernelDriver::route).toList();
  }

  /** iproute2 shows exactly {@code texts} as our IPv4 routes in the main table, all on d0. */
  private static void expectShown(String... texts) throws IOException, InterruptedException {
    expect(
        ip("-4 route show table main proto " + PROTO),
        Stream.of(texts).map(t -> t + " dev d0").collect(Collectors.joining("\n")));
  }

  /** iproute2 and our own dump both show exactly {@code texts}. */
  private static void expectOurs(Routes routes, String... texts)
      throws IOException, InterruptedException {
    expectShown(texts);
    expectMine(routes, routes(texts).toArray(Route[]::new));
  }

  private static void expectMine(Routes routes, Route... expected) {
    List<Route> mine = new ArrayList<>();
    routes.mainTable().mine().forEach(k -> mine.add(k.asRoute().orElseThrow()));
    if (!mine.equals(List.of(expected))) {
      throw new AssertionError("our dump: " + mine + ", expected " + List.of(expected));
    }
  }

  private static String errno(int expected, Runnable body) {
    try {
      body.run();
    } catch (NetlinkException e) {
      if (e.errno() == expected) {
        return e.getMessage();
      }
      throw new AssertionError("expected " + Errnos.name(expected) + ", got " + e.getMessage(), e);
    }
    throw new AssertionError("expected " + Errnos.name(expected) + ", got success");
  }

  private static void expect(String actual, String expected) {
    if (!normal(actual).equals(normal(expected))) {
      throw new AssertionError(
          "iproute2 shows [" + actual.strip() + "], expected [" + expected.strip() + "]");
    }
  }

  private static List<String> normal(String text) {
    return text.strip().lines().map(String::strip).toList();
  }

  private static String ip(String args) throws IOException, InterruptedException {
    return sh("ip " + args);
  }

  static String sh(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError("`" + command + "` failed: " + out);
    }
    return out;
  }

  private void check(String name, GuestReport.Check body) {
    report.check(name, body);
  }
}
