package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.clusteripam.daemon.perhost.PerHostFixture.H1;
import static org.clusteripam.daemon.perhost.PerHostFixture.H2;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostAddressing;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.perhost.BlockRoute;
import org.clusteripam.core.perhost.RoutePlan;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-host loop publishes this host's advertised address and applies its route plan, on its
 * timer and on store changes.
 */
class PerHostRoutingTest {
  final InMemoryStateStore store = new InMemoryStateStore();
  final PerHostFixture f = new PerHostFixture(store);
  final HostAddressing h1 =
      IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).perHost();
  final List<RoutePlan> applied = new CopyOnWriteArrayList<>();
  final RouteApplier recorder =
      new RouteApplier() {
        @Override
        public void apply(RoutePlan plan) {
          applied.add(plan);
        }

        @Override
        public void close() {}
      };
  PerHostLoop loop;

  @AfterEach
  void stop() {
    if (loop != null) {
      loop.close();
    }
  }

  PerHostLoop loop(Duration interval) {
    return new PerHostLoop(
        h1,
        H1,
        known -> new CatalogRead.NotManager("worker"),
        LbApplier.none(),
        new PerHostRouting(Optional.of(IpAddress.parse("192.168.0.1")), 201),
        recorder,
        interval,
        new PerHostMetrics(new SimpleMeterRegistry()),
        Clock.systemUTC());
  }

  @Test
  void aPassPublishesTheAddressAndRoutesTheOtherHostsBlocks() {
    loop = loop(Duration.ofMinutes(1));
    h1.advertise(H2, IpAddress.parse("192.168.0.2"));
    assertThat(loop.pass()).isTrue();
    assertThat(h1.advertisedAddresses()).containsEntry(H1, IpAddress.parse("192.168.0.1"));
    RoutePlan plan = applied.get(applied.size() - 1);
    assertThat(plan.routes())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.owner()).isEqualTo(H2);
              assertThat(r.block().contains(f.a2)).isTrue();
              assertThat(r.via()).isEqualTo(IpAddress.parse("192.168.0.2"));
            });
    assertThat(loop.lastRoutes()).contains(plan);
  }

  @Test
  void aBlockClaimedAfterStartIsRoutedWithoutWaitingForTheTimer() throws Exception {
    h1.advertise(H2, IpAddress.parse("192.168.0.2"));
    loop = loop(Duration.ofHours(1)).start();
    waitFor(() -> applied.stream().anyMatch(p -> p.routes().size() == 1));
    // h2 fills its first block, so its next address comes from a second block: a claim in the pool
    // record.
    PoolId local =
        f.manager
            .requestPool(
                new PoolRequest(
                    H2,
                    f.manager.addressSpaces().local(),
                    Optional.of(PerHostFixture.POOL),
                    Optional.empty(),
                    Map.of("addressing", "per-host"),
                    false))
            .id();
    int before = applied.size();
    for (int i = 0; i < 80 && routesOf(H2) < 2; i++) {
      f.manager.requestAddress(
          new AddressRequest(H2, local, Optional.empty(), AddressKind.ENDPOINT, Map.of()));
    }
    assertThat(routesOf(H2)).as("h2 holds a second block").isEqualTo(2);
    waitFor(() -> applied.size() > before && applied.get(applied.size() - 1).routes().size() == 2);
  }

  @Test
  void routingOptionsAreChecked() {
    assertThat(PerHostRouting.parse("", 201).advertise()).isEmpty();
    assertThat(PerHostRouting.parse(" none ", 201).advertise()).isEmpty();
    assertThat(PerHostRouting.parse("192.168.0.7", 77))
        .isEqualTo(new PerHostRouting(Optional.of(IpAddress.parse("192.168.0.7")), 77));
    assertThatThrownBy(() -> PerHostRouting.parse("eth0", 201))
        .hasMessageContaining("--advertise-addr must be an IP address");
    assertThatThrownBy(() -> PerHostRouting.parse("192.168.0.7", 2))
        .hasMessageContaining("--route-protocol");
  }

  private int routesOf(org.clusteripam.core.ipam.HostId host) {
    return (int)
        h1.routePlan(H1).routes().stream().map(BlockRoute::owner).filter(host::equals).count();
  }

  private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }
}
