package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.clusteripam.daemon.perhost.PerHostFixture.H1;
import static org.clusteripam.daemon.perhost.PerHostFixture.H2;
import static org.clusteripam.daemon.perhost.PerHostFixture.POOL;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.core.store.Txn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-host loop over a real engine on an in-memory store, with a fake Docker and a recording
 * load balancer.
 */
class PerHostLoopTest {
  /** A store that can be taken down and brought back. */
  static final class FlakyStore extends ForwardingStateStore {
    final AtomicBoolean down = new AtomicBoolean();

    FlakyStore() {
      super(new InMemoryStateStore());
    }

    private void check() {
      if (down.get()) {
        throw new StoreUnavailableException("etcd unreachable (test)", null);
      }
    }

    @Override
    public <R> R transact(String name, Txn<R> txn) {
      check();
      return super.transact(name, txn);
    }

    @Override
    public java.util.SortedMap<String, org.clusteripam.core.store.Versioned> list(String prefix) {
      check();
      return super.list(prefix);
    }

    @Override
    public Optional<org.clusteripam.core.store.Versioned> peek(String key) {
      check();
      return super.peek(key);
    }
  }

  /** Records what it was asked to apply; can be made to fail. */
  static final class RecordingApplier implements LbApplier {
    final List<LbDesiredState> applied = new CopyOnWriteArrayList<>();
    final AtomicReference<Collection<IpPrefix>> pools = new AtomicReference<>();
    final AtomicBoolean fail = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public boolean apply(LbDesiredState state, Collection<IpPrefix> managedPools) {
      if (fail.get()) {
        throw new IllegalArgumentException("kernel says no (test)");
      }
      applied.add(state);
      pools.set(managedPools);
      return true;
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  final FlakyStore store = new FlakyStore();
  final PerHostFixture fx = new PerHostFixture(store);
  final IpamEngine h1Engine = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC());
  final RecordingApplier lb = new RecordingApplier();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AtomicReference<CatalogRead> docker = new AtomicReference<>();
  final AtomicInteger reads = new AtomicInteger();
  final List<Set<IpPrefix>> knownAtRead = new ArrayList<>();
  final CatalogSource source =
      known -> {
        reads.incrementAndGet();
        knownAtRead.add(known);
        return docker.get();
      };
  PerHostLoop loop;

  PerHostLoop loop(Duration interval) {
    loop =
        new PerHostLoop(
            h1Engine.perHost(),
            H1,
            source,
            lb,
            interval,
            new PerHostMetrics(registry),
            Clock.systemUTC());
    return loop;
  }

  @AfterEach
  void stop() {
    if (loop != null) {
      loop.close();
    }
  }

  double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  double passes(String outcome) {
    return registry.get("cluster.ipam.lb.passes").tag("outcome", outcome).counter().count();
  }

  @Test
  void aManagerPassPublishesTheCatalogTakesAHostVipAndAppliesTheVipsAndPlaceholders() {
    docker.set(new CatalogRead.Catalog(fx.catalog(), List.of()));
    assertThat(loop(Duration.ofMinutes(1)).pass()).isTrue();

    assertThat(knownAtRead).containsExactly(Set.of(POOL));
    assertThat(h1Engine.perHost().catalog(POOL)).containsExactlyElementsOf(fx.catalog().get(POOL));
    // idempotent: what the pass did
    IpAddress hostVip = h1Engine.perHost().syncServiceVips(H1).get(0).address();
    assertThat(hostVip).isNotIn(fx.vip, fx.a1, fx.a2);

    LbDesiredState s = loop.last().orElseThrow().state();
    assertThat(s).isEqualTo(h1Engine.perHost().lbDesiredState(H1));
    List<ServicePort> http = List.of(ServicePort.parse("80/tcp"));
    assertThat(s.vips())
        .containsExactlyInAnyOrder(
            new VipRoute(POOL, "sweb", "web", fx.vip, false, http, List.of(fx.a1, fx.a2)),
            new VipRoute(POOL, "sweb", "web", hostVip, true, http, List.of(fx.a1, fx.a2)));
    assertThat(s.placeholders())
        .containsExactlyInAnyOrder(
            new PlaceholderRoute(POOL, fx.t1, H1, fx.a1, "sweb", http),
            new PlaceholderRoute(POOL, fx.t2, H2, fx.a2, "sweb", http));
    assertThat(lb.applied).containsExactly(s);
    assertThat(lb.pools.get()).containsExactly(POOL);
    assertThat(loop.last().orElseThrow().applied()).isTrue();

    assertThat(gauge("cluster.ipam.lb.vips")).isEqualTo(2);
    assertThat(gauge("cluster.ipam.lb.placeholders")).isEqualTo(2);
    assertThat(gauge("cluster.ipam.lb.backends")).isEqualTo(4);
    assertThat(gauge("cluster.ipam.lb.applied")).isEqualTo(1);
    assertThat(passes("ok")).isEqualTo(1);
    assertThat(registry.get("cluster.ipam.catalog.keys.written").counter().count()).isPositive();
  }

  @Test
  void aServiceGoneFromDockerLeavesTheCatalogAndTheHostVipIsReleased() {
    docker.set(new CatalogRead.Catalog(fx.catalog(), List.of()));
    loop(Duration.ofMinutes(1)).pass();
    assertThat(loop.last().orElseThrow().state().vips()).hasSize(2);

    docker.set(new CatalogRead.Catalog(java.util.Map.of(POOL, List.of()), List.of()));
    assertThat(loop.pass()).isTrue();
    assertThat(h1Engine.perHost().catalog(POOL)).isEmpty();
    assertThat(h1Engine.perHost().syncServiceVips(H1)).isEmpty();
    LbDesiredState s = loop.last().orElseThrow().state();
    assertThat(s.vips()).isEmpty();
    assertThat(s.placeholders())
        .as("mappings outlive the catalog: routed on all ports")
        .extracting(PlaceholderRoute::ports)
        .containsOnly(List.of());
    assertThat(lb.applied).hasSize(2);
  }

  @Test
  void dockerUnavailableOrAWorkerPublishesNothingAndKeepsTheStoredCatalog() {
    docker.set(new CatalogRead.Catalog(fx.catalog(), List.of()));
    loop(Duration.ofMinutes(1)).pass();
    List<CatalogService> published = h1Engine.perHost().catalog(POOL);

    docker.set(new CatalogRead.Unavailable("GET /info: connection refused"));
    assertThat(loop.pass()).isTrue();
    assertThat(h1Engine.perHost().catalog(POOL)).isEqualTo(published);
    assertThat(loop.last().orElseThrow().state().vips()).hasSize(2);

    docker.set(new CatalogRead.NotManager("worker"));
    assertThat(loop.pass()).isTrue();
    assertThat(h1Engine.perHost().catalog(POOL)).isEqualTo(published);
    assertThat(lb.applied).hasSize(3).allMatch(s -> s.equals(lb.applied.get(0)));
  }

  @Test
  void withoutPerHostPoolsNeitherDockerNorTheLoadBalancerIsTouched() {
    InMemoryStateStore empty = new InMemoryStateStore();
    IpamEngine engine = IpamEngine.open(empty, IpamConfig.defaults(), Clock.systemUTC());
    loop =
        new PerHostLoop(
            engine.perHost(),
            H1,
            source,
            lb,
            Duration.ofMinutes(1),
            new PerHostMetrics(registry),
            Clock.systemUTC());
    assertThat(loop.pass()).isTrue();
    assertThat(reads.get()).isZero();
    assertThat(loop.last().orElseThrow().state()).isEqualTo(LbDesiredState.empty(H1));
    assertThat(loop.last().orElseThrow().applied()).isFalse();
    assertThat(lb.applied).isEmpty();
  }

  @Test
  void theStoreGoingDownFailsPassesWithoutKillingTheLoopAndTheLastPlanStays() {
    docker.set(new CatalogRead.Catalog(fx.catalog(), List.of()));
    loop(Duration.ofMinutes(1)).pass();
    PerHostLoop.Snapshot before = loop.last().orElseThrow();

    store.down.set(true);
    assertThat(loop.pass()).isFalse();
    assertThat(loop.pass()).isFalse();
    assertThat(loop.last()).contains(before);
    assertThat(passes("failed")).isEqualTo(2);

    store.down.set(false);
    assertThat(loop.pass()).isTrue();
    assertThat(loop.last().orElseThrow().state()).isEqualTo(before.state());
    assertThat(passes("ok")).isEqualTo(2);
  }

  @Test
  void aFailingLoadBalancerIsRecordedAsNotAppliedAndRetried() {
    docker.set(new CatalogRead.Catalog(fx.catalog(), List.of()));
    lb.fail.set(true);
    assertThat(loop(Duration.ofMinutes(1)).pass()).isFalse();
    assertThat(loop.last().orElseThrow().applied()).isFalse();
    assertThat(loop.last().orElseThrow().state().vips()).as("computed even so").hasSize(2);
    assertThat(gauge("cluster.ipam.lb.applied")).isZero();

    lb.fail.set(false);
    assertThat(loop.pass()).isTrue();
    assertThat(loop.last().orElseThrow().applied()).isTrue();
  }

  @Test
  void aPoolDeletedSinceStaysManagedSoItsFrontendsAreDrained() {
    docker.set(new CatalogRead.Catalog(fx.catalog(), List.of()));
    loop(Duration.ofMinutes(1)).pass();
    assertThat(lb.pools.get()).containsExactly(POOL);
    IpPrefix other = IpPrefix.parse("10.94.0.0/24");
    org.clusteripam.core.ipam.PoolId id =
        h1Engine
            .driver()
            .requestPool(
                new org.clusteripam.core.ipam.PoolRequest(
                    H2,
                    h1Engine.driver().addressSpaces().local(),
                    Optional.of(other),
                    Optional.empty(),
                    PerHostFixture.PER_HOST,
                    false))
            .id();
    loop.pass();
    assertThat(lb.pools.get()).containsExactly(POOL, other);

    h1Engine.driver().releasePool(H2, id);
    assertThat(h1Engine.perHost().perHostPools()).containsExactly(POOL);
    loop.pass();
    assertThat(lb.pools.get())
        .as("its IPVS services, if any, are still this host's to drain")
        .containsExactly(POOL, other);
  }

  @Test
  void startRunsPassesOnItsOwnThreadAndCloseStopsItAndTheApplier() throws Exception {
    docker.set(new CatalogRead.Catalog(fx.catalog(), List.of()));
    loop(Duration.ofMillis(50)).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (lb.applied.size() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(lb.applied.size()).isGreaterThanOrEqualTo(3);
    assertThat(h1Engine.perHost().catalog(POOL)).hasSize(1);
    loop.close();
    assertThat(lb.closed).isTrue();
    int after = lb.applied.size();
    Thread.sleep(200);
    assertThat(lb.applied).hasSize(after);
  }

  @Test
  void theIntervalMustBePositive() {
    assertThatThrownBy(() -> loop(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--lb-interval");
  }
}
