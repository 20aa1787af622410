package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** Per-host addressing, driven the way swarm drives it: manager first, then the nodes. */
class PerHostModeTest {
  static final HostId MANAGER = new HostId("m1");
  static final HostId H1 = new HostId("h1");
  static final HostId H2 = new HostId("h2");
  static final IpPrefix POOL = IpPrefix.parse("10.91.0.0/24");
  static final Map<String, String> PER_HOST = Map.of("addressing", "per-host");

  final InMemoryStateStore store = new InMemoryStateStore();
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final ClusterIpam ipam = new ClusterIpam(store, IpamConfig.defaults(), clock);

  PoolId globalPool(Map<String, String> options) {
    return ipam.requestPool(
            new PoolRequest(
                MANAGER, "ClusterIpamGlobal", Optional.of(POOL), Optional.empty(), options, false))
        .id();
  }

  PoolId localPool(HostId h) {
    return ipam.requestPool(
            new PoolRequest(
                h, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), PER_HOST, false))
        .id();
  }

  IpAddress managerAllocates(PoolId g) {
    return ipam.requestAddress(
            new AddressRequest(MANAGER, g, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
        .address();
  }

  IpAddress nodeAsksFor(HostId h, PoolId l, IpAddress placeholder) {
    return ipam.requestAddress(
            new AddressRequest(h, l, Optional.of(placeholder), AddressKind.ENDPOINT, Map.of()))
        .address();
  }

  IpAddress gateway(HostId h, PoolId id, Optional<IpAddress> preferred) {
    return ipam.requestAddress(new AddressRequest(h, id, preferred, AddressKind.GATEWAY, Map.of()))
        .address();
  }

  static final IpPrefix DEFAULT_RANGE = IpPrefix.parse("10.91.0.192/26");

  @Test
  void managerAllocationsArePlaceholdersAndNodesGetAddressesOfTheirOwnBlocks() {
    PoolId g = globalPool(PER_HOST);
    assertThat(ipam.placeholderRange(POOL)).contains(DEFAULT_RANGE);
    assertThat(ipam.perHostPools()).containsExactly(POOL);
    IpAddress gw = gateway(MANAGER, g, Optional.empty());
    assertThat(DEFAULT_RANGE.contains(gw)).as("the gateway %s stays a real address", gw).isFalse();
    IpAddress vip = managerAllocates(g);
    IpAddress t1 = managerAllocates(g);
    IpAddress t2 = managerAllocates(g);
    IpAddress t3 = managerAllocates(g);
    assertThat(List.of(vip, t1, t2, t3)).allMatch(DEFAULT_RANGE::contains).doesNotHaveDuplicates();

    PoolId l1 = localPool(H1);
    PoolId l2 = localPool(H2);
    assertThat(gateway(H1, l1, Optional.of(gw))).isEqualTo(gw);
    IpAddress a1 = nodeAsksFor(H1, l1, t1);
    IpAddress a3 = nodeAsksFor(H1, l1, t3);
    IpAddress a2 = nodeAsksFor(H2, l2, t2);
    assertThat(List.of(a1, a2, a3))
        .noneMatch(DEFAULT_RANGE::contains)
        .doesNotHaveDuplicates()
        .doesNotContain(gw);
    IpPrefix b1 = IpPrefix.containing(a1, 26);
    IpPrefix b2 = IpPrefix.containing(a2, 26);
    assertThat(IpPrefix.containing(a3, 26)).isEqualTo(b1);
    assertThat(b1).as("each host allocates in its own block").isNotEqualTo(b2);
    assertThat(ipam.queries().blocksOwnedBy(Holder.of("h1")).get(POOL)).contains(b1);
    assertThat(ipam.queries().blocksOwnedBy(Holder.of("h2")).get(POOL)).contains(b2);

    // Replays (a node re-creating its local copy of the network) return the same address.
    assertThat(nodeAsksFor(H1, l1, t1)).isEqualTo(a1);
    assertThat(ipam.placeholderMappings(POOL))
        .extracting(
            PlaceholderMapping::placeholder, m -> m.host().value(), PlaceholderMapping::actual)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(t1, "h1", a1),
            org.assertj.core.groups.Tuple.tuple(t2, "h2", a2),
            org.assertj.core.groups.Tuple.tuple(t3, "h1", a3));
  }

  @Test
  void aMappingIsReleasedWithEitherSide() {
    PoolId g = globalPool(PER_HOST);
    PoolId l1 = localPool(H1);
    IpAddress t1 = managerAllocates(g);
    IpAddress t2 = managerAllocates(g);
    IpAddress a1 = nodeAsksFor(H1, l1, t1);
    IpAddress a2 = nodeAsksFor(H1, l1, t2);

    // The node releases its container's address: the mapping goes, swarm still holds the
    // placeholder.
    ipam.releaseAddress(H1, l1, a1);
    assertThat(ipam.placeholderMappings(POOL))
        .extracting(PlaceholderMapping::placeholder)
        .containsExactly(t2);
    assertThat(holders(t1)).containsExactly("@global");
    assertThat(holders(a1)).isEmpty();

    // The manager releases a placeholder: the mapping goes, the container keeps its address until
    // its node releases it.
    ipam.releaseAddress(MANAGER, g, t2);
    assertThat(ipam.placeholderMappings(POOL)).isEmpty();
    assertThat(holders(a2)).containsExactly("h1");
    assertThat(holders(t2)).isEmpty();
    ipam.releaseAddress(H1, l1, a2);
    assertThat(holders(a2)).isEmpty();
  }

  @Test
  void aPlaceholderGivenToANewTaskOnAnotherHostMovesItsMapping() {
    PoolId g = globalPool(PER_HOST);
    PoolId l1 = localPool(H1);
    PoolId l2 = localPool(H2);
    IpAddress t = managerAllocates(g);
    IpAddress a1 = nodeAsksFor(H1, l1, t);
    IpAddress a2 = nodeAsksFor(H2, l2, t);
    assertThat(a2).isNotEqualTo(a1);
    assertThat(ipam.placeholderMappings(POOL))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.host()).isEqualTo(H2);
              assertThat(m.actual()).isEqualTo(a2);
            });
    ipam.releaseAddress(H1, l1, a1); // the old container goes later: the newer mapping stays
    assertThat(ipam.placeholderMappings(POOL))
        .extracting(PlaceholderMapping::actual)
        .containsExactly(a2);
  }

  @Test
  void poolReleasesTakeTheMappingsAndTheCatalogAlong() {
    PoolId g = globalPool(PER_HOST);
    PoolId l1 = localPool(H1);
    PoolId l2 = localPool(H2);
    IpAddress t1 = managerAllocates(g);
    IpAddress t2 = managerAllocates(g);
    nodeAsksFor(H1, l1, t1);
    IpAddress a2 = nodeAsksFor(H2, l2, t2);
    ipam.publishCatalog(
        Map.of(
            POOL,
            List.of(
                new CatalogService(
                    "svc1",
                    "web",
                    Optional.empty(),
                    List.of(),
                    List.of(new CatalogTask("task1", t1))))));
    assertThat(ipam.catalog(POOL)).hasSize(1);

    ipam.releasePool(H1, l1);
    assertThat(ipam.placeholderMappings(POOL))
        .extracting(PlaceholderMapping::actual)
        .containsExactly(a2);
    ipam.releasePool(MANAGER, g); // the network is removed from the swarm
    assertThat(ipam.placeholderMappings(POOL)).isEmpty();
    assertThat(ipam.catalog(POOL)).isEmpty();
    ipam.releasePool(H2, l2);
    assertThat(store.list("")).as("nothing left but the config").containsOnlyKeys(Keys.CONFIG);
  }

  @Test
  void runningOutOfPlaceholdersNamesTheRangeAndChangesNothing() {
    PoolId g = globalPool(Map.of("addressing", "per-host", "placeholders", "10.91.0.128/26"));
    List<IpAddress> got = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      got.add(managerAllocates(g));
    }
    assertThat(got).allMatch(IpPrefix.parse("10.91.0.128/26")::contains).doesNotHaveDuplicates();
    long rev = store.revision();
    assertThatThrownBy(() -> managerAllocates(g))
        .isInstanceOfSatisfying(
            ExhaustedException.class,
            e -> {
              assertThat(e.level()).isEqualTo(ExhaustedException.Level.PLACEHOLDERS);
              assertThat(e.prefix()).isEqualTo(IpPrefix.parse("10.91.0.128/26"));
              assertThat(e.getMessage())
                  .contains("placeholder range 10.91.0.128/26 of pool 10.91.0.0/24");
            });
    assertThat(store.revision()).isEqualTo(rev);
  }

  @Test
  void hostsNeverAllocateInThePlaceholderRange() {
    globalPool(PER_HOST);
    PoolId l1 = localPool(H1);
    List<IpAddress> got = new ArrayList<>();
    // Three /26 blocks outside the range, 62 usable each minus the network address of the pool.
    while (true) {
      try {
        got.add(
            ipam.requestAddress(
                    new AddressRequest(H1, l1, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                .address());
      } catch (ExhaustedException e) {
        assertThat(e.level()).isEqualTo(ExhaustedException.Level.POOL);
        break;
      }
    }
    assertThat(got).noneMatch(DEFAULT_RANGE::contains).doesNotHaveDuplicates().hasSize(191);
  }

  @Test
  void badOptionsAreRefusedAndChangeNothing() {
    long rev = store.revision();
    for (Map<String, String> opts :
        List.of(
            Map.of("addressing", "sideways"),
            Map.of("placeholders", "10.91.0.192/26"),
            Map.of("addressing", "per-host", "placeholders", "10.92.0.0/26"),
            Map.of("addressing", "per-host", "placeholders", "10.91.0.0/24"),
            Map.of("addressing", "per-host", "placeholders", "10.91.0.240/28"),
            Map.of("addressing", "per-host", "placeholders", "not-a-cidr"))) {
      assertThatThrownBy(() -> globalPool(opts))
          .as("%s", opts)
          .isInstanceOf(InvalidRequestException.class);
    }
    assertThatThrownBy(
            () ->
                ipam.requestPool(
                    new PoolRequest(
                        MANAGER,
                        "ClusterIpamGlobal",
                        Optional.of(POOL),
                        Optional.of(IpPrefix.parse("10.91.0.0/25")),
                        PER_HOST,
                        false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("ip-range");
    assertThatThrownBy(
            () ->
                ipam.requestPool(
                    new PoolRequest(
                        MANAGER,
                        "ClusterIpamGlobal",
                        Optional.of(IpPrefix.parse("10.93.0.0/26")),
                        Optional.empty(),
                        PER_HOST,
                        false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("single host block");
    assertThat(store.revision()).isEqualTo(rev);
  }

  @Test
  void eachHostPlansItsLoadBalancerFromTheCatalogTheMappingsAndItsOwnVips() {
    PoolId g = globalPool(PER_HOST);
    IpAddress vip = managerAllocates(g);
    IpAddress t1 = managerAllocates(g);
    IpAddress t2 = managerAllocates(g);
    IpAddress t3 = managerAllocates(g); // scheduled but not started yet
    IpAddress lb = managerAllocates(g); // h1's LB endpoint
    PoolId l1 = localPool(H1);
    PoolId l2 = localPool(H2);
    IpAddress a1 = nodeAsksFor(H1, l1, t1);
    IpAddress a2 = nodeAsksFor(H2, l2, t2);
    IpAddress lbActual = nodeAsksFor(H1, l1, lb);
    ServicePort http = ServicePort.parse("80/tcp");
    CatalogService web =
        new CatalogService(
            "svc1",
            "web",
            Optional.of(vip),
            List.of(http),
            List.of(
                new CatalogTask("task1", t1),
                new CatalogTask("task2", t2),
                new CatalogTask("task3", t3)));
    assertThat(ipam.publishCatalog(Map.of(POOL, List.of(web)))).isEqualTo(1);
    assertThat(ipam.publishCatalog(Map.of(POOL, List.of(web))))
        .as("an unchanged catalog is not rewritten")
        .isZero();

    List<org.clusteripam.core.ipam.ServiceVip> vips = ipam.syncServiceVips(H1);
    assertThat(vips)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.serviceId()).isEqualTo("svc1");
              assertThat(DEFAULT_RANGE.contains(v.address())).isFalse();
              assertThat(IpPrefix.containing(v.address(), 26))
                  .isEqualTo(IpPrefix.containing(a1, 26));
            });
    IpAddress hostVip = vips.get(0).address();

    LbDesiredState s = ipam.lbDesiredState(H1);
    assertThat(s.vips())
        .extracting(VipRoute::frontend, VipRoute::hostVip, VipRoute::backends, VipRoute::ports)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(vip, false, sorted(a1, a2), List.of(http)),
            org.assertj.core.groups.Tuple.tuple(hostVip, true, sorted(a1, a2), List.of(http)));
    assertThat(s.placeholders())
        .extracting(
            PlaceholderRoute::placeholder,
            PlaceholderRoute::actual,
            PlaceholderRoute::serviceId,
            PlaceholderRoute::ports)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(t1, a1, "svc1", List.of(http)),
            org.assertj.core.groups.Tuple.tuple(t2, a2, "svc1", List.of(http)),
            org.assertj.core.groups.Tuple.tuple(lb, lbActual, "", List.of()));
    assertThat(ipam.lbDesiredState(H2).vips())
        .as("h2 has not synced its VIPs yet")
        .extracting(VipRoute::frontend)
        .containsExactly(vip);

    // The service goes from the catalog: its host VIP is released, its routes vanish.
    ipam.publishCatalog(Map.of(POOL, List.of()));
    assertThat(ipam.syncServiceVips(H1)).isEmpty();
    assertThat(ipam.lbDesiredState(H1).vips()).isEmpty();
    assertThat(holders(hostVip)).isEmpty();
  }

  @Test
  void clusterModePoolsKeepTheirBehaviour() {
    PoolId g = globalPool(Map.of());
    PoolId l1 =
        ipam.requestPool(
                new PoolRequest(
                    H1, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), Map.of(), false))
            .id();
    IpAddress t = managerAllocates(g);
    assertThat(nodeAsksFor(H1, l1, t)).isEqualTo(t);
    assertThat(ipam.perHostPools()).isEmpty();
    assertThat(
            ipam.publishCatalog(
                Map.of(
                    POOL,
                    List.of(new CatalogService("s", "s", Optional.empty(), List.of(), List.of())))))
        .isZero();
    assertThat(ipam.lbDesiredState(H1)).isEqualTo(LbDesiredState.empty(H1));
  }

  private static List<IpAddress> sorted(IpAddress... a) {
    return java.util.Arrays.stream(a).sorted().toList();
  }

  private List<String> holders(IpAddress a) {
    return ipam.queries().snapshot().allPools().stream()
        .flatMap(p -> p.blocks().stream())
        .flatMap(b -> b.addresses().stream())
        .filter(x -> x.address().equals(a))
        .flatMap(x -> x.holders().stream())
        .map(Holder::format)
        .toList();
  }
}
