package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.BlockRoute;
import org.clusteripam.core.perhost.RoutePlan;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * Routes to other hosts' per-host blocks follow block claims and give-backs and the advertised
 * addresses.
 */
class PerHostRoutesTest {
  static final HostId H1 = new HostId("h1");
  static final HostId H2 = new HostId("h2");
  static final IpPrefix POOL = IpPrefix.parse("10.91.0.0/24");

  final InMemoryStateStore store = new InMemoryStateStore();
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final ClusterIpam ipam = new ClusterIpam(store, IpamConfig.defaults(), clock);

  PoolId localPool(HostId h) {
    return ipam.requestPool(
            new PoolRequest(
                h,
                "ClusterIpamLocal",
                Optional.of(POOL),
                Optional.empty(),
                Map.of("addressing", "per-host"),
                false))
        .id();
  }

  IpAddress allocate(HostId h, PoolId id) {
    return ipam.requestAddress(
            new AddressRequest(h, id, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
        .address();
  }

  @Test
  void aHostRoutesTheOtherHostsBlocksViaTheirAdvertisedAddressUntilTheyAreGivenBack() {
    PoolId l1 = localPool(H1);
    PoolId l2 = localPool(H2);
    IpAddress a1 = allocate(H1, l1);
    IpAddress a2 = allocate(H2, l2);
    assertThat(ipam.routePlan(H1).routes()).as("no advertised address, no route").isEmpty();
    assertThat(ipam.routePlan(H1).unrouted())
        .singleElement()
        .satisfies(u -> assertThat(u.owner().value()).isEqualTo("h2"));

    assertThat(ipam.advertise(H2, IpAddress.parse("192.168.0.2"))).isTrue();
    assertThat(ipam.advertise(H2, IpAddress.parse("192.168.0.2")))
        .as("unchanged: not written again")
        .isFalse();
    ipam.advertise(H1, IpAddress.parse("192.168.0.1"));
    assertThat(
            new String(
                store.peek(Keys.advertise("h2")).orElseThrow().value(), StandardCharsets.UTF_8))
        .isEqualTo("192.168.0.2");

    RoutePlan p1 = ipam.routePlan(H1);
    assertThat(p1.routes())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.block().contains(a2)).isTrue();
              assertThat(r.via()).isEqualTo(IpAddress.parse("192.168.0.2"));
              assertThat(r.owner()).isEqualTo(H2);
            });
    List<BlockRoute> p2 = ipam.routePlan(H2).routes();
    assertThat(p2).singleElement().satisfies(r -> assertThat(r.block().contains(a1)).isTrue());

    ipam.releaseAddress(H2, l2, a2);
    clock.advance(IpamConfig.defaults().cooldown().plusSeconds(1));
    assertThat(ipam.releaseEmptyBlocks(H2)).isNotEmpty();
    assertThat(ipam.routePlan(H1).routes()).as("a block given back is no longer routed").isEmpty();
    assertThat(ipam.routePlan(H2).routes()).hasSize(1);

    ipam.unadvertise(H1);
    assertThat(ipam.routePlan(H2).routes()).isEmpty();
    assertThat(ipam.advertisedAddresses()).containsOnlyKeys(H2);
  }

  @Test
  void aMalformedStoredAddressIsLeftOut() {
    store.transact(
        "t",
        v -> {
          v.put(Keys.advertise("h3"), "not-an-address".getBytes(StandardCharsets.UTF_8));
          return null;
        });
    ipam.advertise(H2, IpAddress.parse("192.168.0.2"));
    assertThat(ipam.advertisedAddresses()).containsOnlyKeys(H2);
  }
}
