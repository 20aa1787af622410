package org.clusteripam.lb.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class RouteSyncTest {
  private final FakeRouteKernel kernel = new FakeRouteKernel();

  @Test
  void addsReplacesAndRemovesOnlyItsOwn() {
    kernel.addForeign("10.99.9.0/24", "192.0.2.9", 3);
    try (Routes routes = Routes.open(kernel, 201)) {
      RouteSync sync = new RouteSync(routes);
      RouteSync.Report first =
          sync.sync(
              List.of(
                  Route.of("10.99.1.0/24", "192.0.2.2"), Route.of("10.99.2.0/24", "192.0.2.3")));
      assertThat(first.added()).hasSize(2);
      RouteSync.Report second = sync.sync(List.of(Route.of("10.99.1.0/24", "192.0.2.4")));
      assertThat(second.replaced()).containsExactly(Route.of("10.99.1.0/24", "192.0.2.4"));
      assertThat(second.removed()).containsExactly(IpPrefix.parse("10.99.2.0/24"));
      assertThat(mine(routes)).containsExactly(Route.of("10.99.1.0/24", "192.0.2.4"));
      assertThat(routes.mainTable().others())
          .extracting(KernelRoute::destination)
          .containsExactly(IpPrefix.parse("10.99.9.0/24"));
      int writes = kernel.writes;
      assertThat(sync.sync(List.of(Route.of("10.99.1.0/24", "192.0.2.4"))).changed()).isFalse();
      assertThat(kernel.writes).as("a sync of an unchanged table writes nothing").isEqualTo(writes);
    }
  }

  @Test
  void aDestinationSomeoneElseRoutesIsAConflictNotAnOverwrite() {
    kernel.addForeign("10.99.1.0/24", "192.0.2.9", 4);
    try (Routes routes = Routes.open(kernel, 201)) {
      RouteSync.Report r =
          new RouteSync(routes).sync(List.of(Route.of("10.99.1.0/24", "192.0.2.2")));
      assertThat(r.conflicts()).containsExactly(Route.of("10.99.1.0/24", "192.0.2.2"));
      assertThat(r.changed()).isFalse();
      assertThat(kernel.table)
          .singleElement()
          .satisfies(k -> assertThat(k.protocol()).isEqualTo(4));
    }
  }

  @Test
  void localRoutesFollowTheFrontendsAndLeaveOthersAlone() {
    try (Routes routes = Routes.open(kernel, 201)) {
      LocalSync sync = new LocalSync(routes);
      LocalSync.Report a =
          sync.sync(
              List.of(
                  IpPrefix.parse("10.96.0.10/32"),
                  IpPrefix.parse("10.96.0.11/32"),
                  IpPrefix.parse("127.0.0.1/32")));
      assertThat(a.added())
          .containsExactly(IpPrefix.parse("10.96.0.10/32"), IpPrefix.parse("10.96.0.11/32"));
      assertThat(routes.localTable().mine()).hasSize(2);
      assertThat(routes.mainTable().mine()).as("local routes are not main-table routes").isEmpty();
      LocalSync.Report b = sync.sync(List.of(IpPrefix.parse("10.96.0.11/32")));
      assertThat(b.removed()).containsExactly(IpPrefix.parse("10.96.0.10/32"));
      assertThat(sync.sync(List.of(IpPrefix.parse("10.96.0.11/32"))).changed()).isFalse();
      assertThat(routes.localTable().others()).containsExactly(IpPrefix.parse("127.0.0.1/32"));
    }
  }

  @Test
  void twoGatewaysForOneDestinationIsABug() {
    try (Routes routes = Routes.open(kernel, 201)) {
      assertThatThrownBy(
              () ->
                  new RouteSync(routes)
                      .sync(
                          List.of(
                              Route.of("10.99.1.0/24", "192.0.2.2"),
                              Route.of("10.99.1.0/24", "192.0.2.3"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("two routes");
      assertThat(kernel.writes).isZero();
    }
  }

  /**
   * Any sequence of desired sets: ours equal the last minus conflicts, foreign routes never change.
   */
  @Property(tries = 200)
  void convergesAndLeavesForeignRoutesAlone(
      @ForAll("foreign") Set<Integer> foreign, @ForAll("plans") List<Set<Integer>> plans) {
    FakeRouteKernel k = new FakeRouteKernel();
    foreign.forEach(i -> k.addForeign(prefix(i), "192.0.2.200", 4));
    List<KernelRoute> before = List.copyOf(k.table);
    try (Routes routes = Routes.open(k, 201)) {
      RouteSync sync = new RouteSync(routes);
      for (Set<Integer> plan : plans) {
        List<Route> desired =
            plan.stream().map(i -> Route.of(prefix(i), "192.0.2." + (1 + i % 3))).toList();
        RouteSync.Report r = sync.sync(desired);
        assertThat(r.errors()).isEmpty();
        Set<Route> expected =
            desired.stream()
                .filter(d -> !foreign.contains(index(d)))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(mine(routes))).isEqualTo(expected);
        assertThat(r.conflicts()).hasSize(desired.size() - expected.size());
        assertThat(routes.mainTable().others()).containsExactlyInAnyOrderElementsOf(before);
      }
    }
  }

  @Provide
  Arbitrary<Set<Integer>> foreign() {
    return Arbitraries.integers().between(0, 7).set().ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<Set<Integer>>> plans() {
    return Arbitraries.integers().between(0, 7).set().ofMaxSize(6).list().ofMinSize(1).ofMaxSize(5);
  }

  private static String prefix(int i) {
    return "10.99." + i + ".0/24";
  }

  private static int index(Route r) {
    return (int) ((r.destination().network().toBigInteger().longValue() >> 8) & 0xff);
  }

  private static List<Route> mine(Routes routes) {
    List<Route> out = new ArrayList<>();
    routes.mainTable().mine().forEach(k -> out.add(k.asRoute().orElseThrow()));
    return out;
  }
}
