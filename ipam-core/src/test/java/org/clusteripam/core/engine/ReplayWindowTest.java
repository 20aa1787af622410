package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.clusteripam.core.engine.ClusterIpamTest.H1;
import static org.clusteripam.core.engine.ClusterIpamTest.H2;
import static org.clusteripam.core.engine.ClusterIpamTest.a;
import static org.clusteripam.core.engine.ClusterIpamTest.exact;
import static org.clusteripam.core.engine.ClusterIpamTest.gateway;
import static org.clusteripam.core.engine.ClusterIpamTest.global;
import static org.clusteripam.core.engine.ClusterIpamTest.local;
import static org.clusteripam.core.engine.ClusterIpamTest.p;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * A host asking again for an address it already holds: a second {@code docker run --ip X} is
 * refused, dockerd's restore (pool first, then gateway, aux and endpoint addresses) succeeds.
 */
class ReplayWindowTest {
  static final String SECOND_IP =
      "address 10.5.0.50 in pool 10.5.0.0/24 is already in use by host h1 (another endpoint"
          + " on this host has it); if nothing uses it any more, reconciliation releases it";

  final InMemoryStateStore store = new InMemoryStateStore();
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  ClusterIpam ipam(IpamConfig c) {
    return new ClusterIpam(store, c, clock);
  }

  Map<String, String> contents() {
    TreeMap<String, String> out = new TreeMap<>();
    store
        .list("")
        .forEach(
            (k, v) -> out.put(k, new String(v.value(), java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }

  /** The replay times recorded in the pool's holder keys. */
  Map<String, Long> replayFrom(String pool) {
    TreeMap<String, Long> out = new TreeMap<>();
    String prefix = Keys.holdersOf(p(pool));
    store
        .list(prefix)
        .forEach(
            (k, v) ->
                StateCodec.decodeHolder(k, v.value())
                    .replayFrom()
                    .ifPresent(t -> out.put(k.substring(prefix.length()), t)));
    return out;
  }

  @Test
  void aSecondIpRequestOnTheSameHostIsRefusedAndChangesNothing() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    ipam.requestPool(local(H2, "10.5.0.0/24"));
    assertThat(ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")).address())
        .isEqualTo(a("10.5.0.50"));
    long rev = store.revision();
    Map<String, String> before = contents();
    assertThatThrownBy(() -> ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")))
        .isInstanceOf(ConflictException.class)
        .hasMessage(SECOND_IP);
    assertThat(store.revision()).isEqualTo(rev);
    assertThat(contents()).isEqualTo(before);
    // Another host's pool replay is no replay of h1's.
    ipam.requestPool(local(H2, "10.5.0.0/24"));
    assertThatThrownBy(() -> ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")))
        .isInstanceOf(ConflictException.class);
    // Once released, the address can be taken again.
    ipam.releaseAddress(H1, g.id(), a("10.5.0.50"));
    assertThat(ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")).address())
        .isEqualTo(a("10.5.0.50"));
  }

  @Test
  void dockerdsRestoreAfterThePoolRequestGetsGatewayAuxAndEndpointsBack() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    IpAddress gw = ipam.requestAddress(gateway(H1, g.id(), "")).address();
    IpAddress aux = ipam.requestAddress(exact(H1, g.id(), "10.5.0.200")).address();
    IpAddress ip = ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")).address();
    IpAddress dyn = ipam.requestAddress(ClusterIpamTest.any(H1, g.id())).address();
    // A gateway repeat is idempotent at any time: every endpoint of a network shares it.
    assertThat(ipam.requestAddress(gateway(H1, g.id(), gw.toString())).address()).isEqualTo(gw);
    clock.advance(Duration.ofHours(5));
    Map<String, String> before = contents();

    // dockerd restarts: RequestPool with the old subnet, the gateway, each aux, each endpoint.
    assertThat(ipam.requestPool(local(H1, "10.5.0.0/24")).id()).isEqualTo(g.id());
    assertThat(replayFrom("10.5.0.0/24")).isEqualTo(Map.of("h1", clock.millis()));
    for (IpAddress x : java.util.List.of(aux, ip, dyn)) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(ipam.requestAddress(exact(H1, g.id(), x.toString())).address()).isEqualTo(x);
    }
    assertThat(ipam.requestAddress(gateway(H1, g.id(), gw.toString())).address()).isEqualTo(gw);
    // Nothing but the holder's key (its replay window) changed; every address is held once.
    Map<String, String> after = contents();
    after.remove(Keys.holder(p("10.5.0.0/24"), Holder.of("h1")));
    before.remove(Keys.holder(p("10.5.0.0/24"), Holder.of("h1")));
    assertThat(after).isEqualTo(before);
    ipam.queries()
        .snapshot()
        .allPools()
        .get(0)
        .blocks()
        .forEach(
            b ->
                b.addresses()
                    .forEach(x -> assertThat(x.holders()).containsExactly(Holder.of("h1"))));
  }

  @Test
  void theWindowClosesAfterTheConfiguredTimeAndAPoolReplayReopensIt() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    assertThat(ipam.config().replayWindow()).isEqualTo(Duration.ofMinutes(2));
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    ipam.requestAddress(exact(H1, g.id(), "10.5.0.50"));
    ipam.requestPool(local(H1, "10.5.0.0/24"));
    clock.advance(Duration.ofMinutes(2));
    assertThat(ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")).address())
        .isEqualTo(a("10.5.0.50"));
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")))
        .isInstanceOf(ConflictException.class)
        .hasMessage(SECOND_IP);
    ipam.requestPool(local(H1, "10.5.0.0/24"));
    assertThat(ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")).address())
        .isEqualTo(a("10.5.0.50"));

    // A shorter configured window; another host's replay opens no window for h1.
    ClusterIpam shortWindow =
        new ClusterIpam(
            store, IpamConfig.builder().replayWindow(Duration.ofSeconds(10)).build(), clock);
    clock.advance(Duration.ofSeconds(11));
    shortWindow.requestPool(local(H2, "10.5.0.0/24"));
    shortWindow.requestPool(local(H2, "10.5.0.0/24"));
    assertThatThrownBy(() -> shortWindow.requestAddress(exact(H1, g.id(), "10.5.0.50")))
        .isInstanceOf(ConflictException.class);
    // each holder keeps its own key
    assertThat(replayFrom("10.5.0.0/24")).containsOnlyKeys("h1", "h2");
    // Leaving the pool closes the window: a rejoin is no replay.
    shortWindow.releasePool(H2, g.id());
    assertThat(replayFrom("10.5.0.0/24")).containsOnlyKeys("h1");
  }

  @Test
  void theSwarmAllocatorsRepeatsStayIdempotentAndANodeMayShareItOnce() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    PoolGrant gg = ipam.requestPool(global("10.20.0.0/24"));
    AddressRequest task =
        new AddressRequest(
            H1, gg.id(), java.util.Optional.of(a("10.20.0.9")), AddressKind.ENDPOINT, Map.of());
    assertThat(ipam.requestAddress(task).address()).isEqualTo(a("10.20.0.9"));
    clock.advance(Duration.ofHours(1));
    // no pool replay needed
    assertThat(ipam.requestAddress(task).address()).isEqualTo(a("10.20.0.9"));
    assertThat(
            ipam.requestAddress(
                    new AddressRequest(
                        H2,
                        gg.id(),
                        java.util.Optional.of(a("10.20.0.9")),
                        AddressKind.ENDPOINT,
                        Map.of()))
                .address())
        .isEqualTo(a("10.20.0.9"));
    assertThat(replayFrom("10.20.0.0/24")).isEmpty();
    ipam.requestPool(global("10.20.0.0/24")); // the manager's replay records no window for @global
    assertThat(replayFrom("10.20.0.0/24")).isEmpty();
    // A node takes the manager's task address once; a second local endpoint on it is refused.
    PoolGrant lg = ipam.requestPool(local(H2, "10.20.0.0/24"));
    assertThat(ipam.requestAddress(exact(H2, lg.id(), "10.20.0.9")).address())
        .isEqualTo(a("10.20.0.9"));
    assertThatThrownBy(() -> ipam.requestAddress(exact(H2, lg.id(), "10.20.0.9")))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("by host h2 (another endpoint on this host has it)");
    ipam.requestPool(local(H2, "10.20.0.0/24"));
    assertThat(ipam.requestAddress(exact(H2, lg.id(), "10.20.0.9")).address())
        .isEqualTo(a("10.20.0.9"));
    ipam.queries()
        .snapshot()
        .allPools()
        .get(0)
        .blocks()
        .forEach(
            b ->
                b.addresses()
                    .forEach(
                        x -> {
                          if (x.address().equals(a("10.20.0.9"))) {
                            assertThat(x.holders())
                                .extracting(Holder::format)
                                .containsExactly("@global", "h2");
                          }
                        }));
  }
}
