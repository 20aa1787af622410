package org.clusteripam.core.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * The load-balancer planner over random node publications (a local-driver network: no swarm VIP, no
 * placeholders) beside random catalog services with placeholders and mappings (an overlay): its
 * output equals a model written from the rules alone.
 */
class NodeTasksPlannerProperties {
  static final IpPrefix POOL = IpPrefix.parse("10.94.0.0/24");
  static final HostId ME = new HostId("h1");
  static final List<String> HOSTS = List.of("h1", "h2", "h3");
  static final List<String> SERVICES = List.of("s1", "s2", "s3", "s4");

  record Input(
      List<NodeTasks> published,
      List<CatalogService> catalog,
      List<PlaceholderMapping> mappings,
      Map<String, IpAddress> hostVips) {}

  @Provide
  Arbitrary<Input> inputs() {
    Arbitrary<TaskAddress> task =
        Combinators.combine(
                Arbitraries.of(SERVICES),
                Arbitraries.integers().between(0, 11),
                Arbitraries.integers().between(1, 120))
            .as((s, t, a) -> new TaskAddress(s, "name-" + s, "t" + t, POOL.addressAt(a)));
    Arbitrary<List<NodeTasks>> published =
        Arbitraries.subsetOf(HOSTS)
            .flatMap(
                hosts ->
                    Combinators.combine(
                            hosts.stream()
                                .sorted()
                                .map(
                                    h ->
                                        task.list()
                                            .ofMaxSize(6)
                                            .map(ts -> new NodeTasks(POOL, new HostId(h), ts)))
                                .toList())
                        .as(ArrayList::new));
    Arbitrary<CatalogService> service =
        Combinators.combine(
                Arbitraries.of(SERVICES),
                Arbitraries.integers().between(200, 230).optional(),
                Arbitraries.integers().between(192, 199).set().ofMaxSize(3),
                Arbitraries.of(80, 8080).set().ofMaxSize(2))
            .as(
                (s, vip, placeholders, ports) ->
                    new CatalogService(
                        s,
                        "cat-" + s,
                        vip.map(POOL::addressAt),
                        ports.stream().map(p -> new ServicePort(PortProtocol.TCP, p)).toList(),
                        placeholders.stream()
                            .map(p -> new CatalogTask("c" + s + p, POOL.addressAt(p)))
                            .toList()));
    Arbitrary<List<CatalogService>> catalog =
        service
            .list()
            .ofMaxSize(3)
            .map(
                l -> {
                  TreeMap<String, CatalogService> byId = new TreeMap<>();
                  l.forEach(s -> byId.putIfAbsent(s.serviceId(), s));
                  return List.copyOf(byId.values());
                });
    Arbitrary<List<PlaceholderMapping>> mappings =
        Arbitraries.integers()
            .between(192, 199)
            .set()
            .ofMaxSize(5)
            .flatMap(
                ps ->
                    Combinators.combine(
                            ps.stream()
                                .sorted()
                                .map(
                                    p ->
                                        Combinators.combine(
                                                Arbitraries.of(HOSTS),
                                                Arbitraries.integers().between(1, 120))
                                            .as(
                                                (h, a) ->
                                                    new PlaceholderMapping(
                                                        POOL,
                                                        POOL.addressAt(p),
                                                        new HostId(h),
                                                        POOL.addressAt(a),
                                                        0)))
                                .toList())
                        .as(ArrayList::new));
    Arbitrary<Map<String, IpAddress>> hostVips =
        Arbitraries.maps(
                Arbitraries.of(SERVICES),
                Arbitraries.integers().between(121, 150).map(POOL::addressAt))
            .ofMaxSize(4)
            .map(
                m -> {
                  // the engine gives each service its own VIP
                  Map<String, IpAddress> out = new TreeMap<>();
                  Set<IpAddress> used = new TreeSet<>();
                  m.forEach(
                      (s, a) -> {
                        if (used.add(a)) {
                          out.put(s, a);
                        }
                      });
                  return out;
                });
    return Combinators.combine(published, catalog, mappings, hostVips).as(Input::new);
  }

  /**
   * The rules, written once more: a VIP route per (service, swarm VIP | own VIP), backends from
   * both sources.
   */
  static List<VipRoute> model(Input in) {
    TreeMap<String, CatalogService> services = new TreeMap<>();
    in.catalog().forEach(s -> services.put(s.serviceId(), s));
    for (NodeTasks n : in.published()) {
      for (TaskAddress t : n.tasks()) {
        services.merge(
            t.serviceId(),
            new CatalogService(
                t.serviceId(), t.serviceName(), Optional.empty(), List.of(), List.of()),
            (a, b) -> a);
      }
    }
    List<VipRoute> out = new ArrayList<>();
    Set<IpAddress> frontends = new TreeSet<>();
    for (CatalogService s : services.values()) {
      Set<IpAddress> backends = new TreeSet<>();
      in.published()
          .forEach(
              n ->
                  n.tasks().stream()
                      .filter(t -> t.serviceId().equals(s.serviceId()))
                      .forEach(t -> backends.add(t.address())));
      for (CatalogTask t : s.tasks()) {
        in.mappings().stream()
            .filter(m -> m.placeholder().equals(t.placeholder()))
            .forEach(m -> backends.add(m.actual()));
      }
      if (s.vip().isPresent() && frontends.add(s.vip().get())) {
        out.add(
            new VipRoute(
                POOL,
                s.serviceId(),
                s.name(),
                s.vip().get(),
                false,
                s.ports(),
                List.copyOf(backends)));
      }
      IpAddress own = in.hostVips().get(s.serviceId());
      if (own != null && frontends.add(own)) {
        out.add(
            new VipRoute(
                POOL, s.serviceId(), s.name(), own, true, s.ports(), List.copyOf(backends)));
      }
    }
    out.sort(java.util.Comparator.comparing(VipRoute::frontend));
    return out;
  }

  private static LbDesiredState plan(Input in) {
    return LbPlanner.plan(
        ME,
        List.of(
            new LbPlanner.PoolState(
                POOL, in.catalog(), in.mappings(), in.hostVips(), in.published())));
  }

  @Property(tries = 500)
  void theVipRoutesEqualTheModel(@ForAll("inputs") Input in) {
    assertThat(plan(in).vips()).isEqualTo(model(in));
  }

  @Property(tries = 300)
  void everyPublishedTaskIsABackendOfEachFrontendOfItsService(@ForAll("inputs") Input in) {
    LbDesiredState plan = plan(in);
    for (NodeTasks n : in.published()) {
      for (TaskAddress t : n.tasks()) {
        assertThat(plan.vips().stream().filter(v -> v.serviceId().equals(t.serviceId())))
            .allSatisfy(v -> assertThat(v.backends()).contains(t.address()));
        if (in.hostVips().containsKey(t.serviceId())) {
          assertThat(plan.vips())
              .anySatisfy(
                  v -> assertThat(v.hostVip() && v.serviceId().equals(t.serviceId())).isTrue());
        }
      }
    }
  }

  @Property(tries = 200)
  void publicationsInAnyOrderPlanEqually(@ForAll("inputs") Input in, @ForAll long seed) {
    List<NodeTasks> shuffled = new ArrayList<>();
    for (NodeTasks n : in.published()) {
      List<TaskAddress> ts = new ArrayList<>(n.tasks());
      Collections.shuffle(ts, new Random(seed));
      shuffled.add(new NodeTasks(n.pool(), n.host(), ts));
    }
    Collections.shuffle(shuffled, new Random(seed));
    Input again = new Input(shuffled, in.catalog(), in.mappings(), in.hostVips());
    assertThat(plan(again)).isEqualTo(plan(in));
  }

  @Property(tries = 200)
  void withoutPublicationsThePlanIsSwarmsRecordsAlone(@ForAll("inputs") Input in) {
    Input none = new Input(List.of(), in.catalog(), in.mappings(), in.hostVips());
    assertThat(plan(none))
        .isEqualTo(
            LbPlanner.plan(
                ME,
                List.of(
                    new LbPlanner.PoolState(POOL, in.catalog(), in.mappings(), in.hostVips()))));
    assertThat(plan(none).vips())
        .allSatisfy(
            v -> assertThat(in.catalog()).anyMatch(s -> s.serviceId().equals(v.serviceId())));
  }

  @Property(tries = 300)
  void theCodecRoundTripsEveryPublication(@ForAll("inputs") Input in) {
    for (NodeTasks n : in.published()) {
      String key = org.clusteripam.core.state.Keys.tasks(n.pool(), n.host().value());
      assertThat(NodeTasksCodec.decode(key, NodeTasksCodec.encode(n))).isEqualTo(n);
    }
  }
}
