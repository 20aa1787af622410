package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.NodeTasks;
import org.clusteripam.core.perhost.TaskAddress;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * Per-host mode on a network of a local driver (routed bridge, macvlan, ipvlan with {@code
 * --config-from}): swarm allocates nothing, every node asks for its own pool and addresses, and
 * publishes its running tasks.
 */
class NodeTasksTest {
  static final HostId H1 = new HostId("h1");
  static final HostId H2 = new HostId("h2");
  static final HostId H3 = new HostId("h3");
  static final IpPrefix POOL = IpPrefix.parse("10.94.0.0/24");

  final InMemoryStateStore store = new InMemoryStateStore();
  final ClusterIpam ipam =
      new ClusterIpam(
          store, IpamConfig.defaults(), new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));

  PoolId join(HostId h) {
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

  IpAddress container(HostId h, PoolId id) {
    return ipam.requestAddress(
            new AddressRequest(h, id, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
        .address();
  }

  static TaskAddress web(String task, IpAddress a) {
    return new TaskAddress("svc1", "web", task, a);
  }

  @Test
  void everyHostPlansItsOwnVipOfAServiceOnlyNodesPublishWithTheTasksOfAllHosts() {
    PoolId l1 = join(H1);
    PoolId l2 = join(H2);
    PoolId l3 = join(H3);
    IpAddress a1 = container(H1, l1);
    IpAddress a2 = container(H2, l2);
    IpAddress a3 = container(H3, l3);
    assertThat(ipam.publishTasks(H1, Map.of(POOL, List.of(web("t1", a1))))).isEqualTo(1);
    assertThat(ipam.publishTasks(H2, Map.of(POOL, List.of(web("t2", a2))))).isEqualTo(1);
    assertThat(ipam.publishTasks(H3, Map.of(POOL, List.of(web("t3", a3))))).isEqualTo(1);
    assertThat(ipam.publishTasks(H3, Map.of(POOL, List.of(web("t3", a3)))))
        .as("unchanged: not rewritten")
        .isZero();
    assertThat(store.list(Keys.TASKS).keySet())
        .containsExactly(Keys.tasks(POOL, "h1"), Keys.tasks(POOL, "h2"), Keys.tasks(POOL, "h3"));
    assertThat(ipam.catalog(POOL)).as("swarm published nothing").isEmpty();

    for (HostId h : List.of(H1, H2, H3)) {
      ipam.syncServiceVips(h);
      LbDesiredState plan = ipam.lbDesiredState(h);
      assertThat(plan.vips()).hasSize(1);
      VipRoute v = plan.vips().get(0);
      assertThat(v.hostVip()).isTrue();
      assertThat(v.serviceName()).isEqualTo("web");
      assertThat(v.backends()).containsExactlyInAnyOrder(a1, a2, a3);
      assertThat(ipam.queries().blocksOwnedBy(Holder.of(h)).get(POOL))
          .contains(IpPrefix.containing(v.frontend(), 26));
    }
  }

  @Test
  void aPublicationIsReplacedWholeAndGoesWithItsNode() {
    PoolId l1 = join(H1);
    PoolId l2 = join(H2);
    IpAddress a1 = container(H1, l1);
    IpAddress b1 = container(H1, l1);
    IpAddress a2 = container(H2, l2);
    ipam.publishTasks(H1, Map.of(POOL, List.of(web("t1", a1), web("t4", b1))));
    ipam.publishTasks(H2, Map.of(POOL, List.of(web("t2", a2))));
    ipam.publishTasks(H1, Map.of(POOL, List.of(web("t4", b1))));
    assertThat(ipam.publishedTasks(POOL))
        .containsExactly(
            new NodeTasks(POOL, H1, List.of(web("t4", b1))),
            new NodeTasks(POOL, H2, List.of(web("t2", a2))));

    assertThat(ipam.publishTasks(H1, Map.of())).as("no task left on h1: its key goes").isEqualTo(1);
    assertThat(store.list(Keys.TASKS).keySet()).containsExactly(Keys.tasks(POOL, "h2"));

    ipam.releasePool(H2, l2); // what reclaim-host does for a dead node
    assertThat(store.list(Keys.TASKS)).isEmpty();
  }

  @Test
  void aHostThatDoesNotHoldThePoolPublishesNothingThereAndBadInputChangesNothing() {
    PoolId l1 = join(H1);
    IpAddress a1 = container(H1, l1);
    assertThat(ipam.publishTasks(H2, Map.of(POOL, List.of(web("t1", a1))))).isZero();
    assertThat(
            ipam.publishTasks(
                H1,
                Map.of(
                    IpPrefix.parse("10.99.0.0/24"),
                    List.of(web("t9", IpAddress.parse("10.99.0.5"))))))
        .isZero();
    assertThat(store.list(Keys.TASKS)).isEmpty();
    assertThatThrownBy(
            () ->
                ipam.publishTasks(
                    H1,
                    Map.of(
                        POOL,
                        List.of(web("t1", a1)),
                        IpPrefix.parse("10.95.0.0/24"),
                        List.of(web("t2", a1)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not inside pool 10.95.0.0/24");
    assertThat(store.list(Keys.TASKS)).isEmpty();
  }

  /** h1 and h2 join the pool and each publish one task of {@code web}: t1 and t2. */
  record TwoHosts(PoolId l1, PoolId l2, IpAddress a1, IpAddress a2) {}

  TwoHosts twoHostsPublishing() {
    PoolId l1 = join(H1);
    PoolId l2 = join(H2);
    IpAddress a1 = container(H1, l1);
    IpAddress a2 = container(H2, l2);
    ipam.publishTasks(H1, Map.of(POOL, List.of(web("t1", a1))));
    ipam.publishTasks(H2, Map.of(POOL, List.of(web("t2", a2))));
    return new TwoHosts(l1, l2, a1, a2);
  }

  @Test
  void theNetworksRemovalTakesEveryPublication() {
    TwoHosts t = twoHostsPublishing();
    ipam.releaseAddress(H1, t.l1(), t.a1());
    ipam.releaseAddress(H2, t.l2(), t.a2());
    ipam.releasePool(H1, t.l1());
    ipam.releasePool(H2, t.l2());
    assertThat(store.list(Keys.TASKS)).isEmpty();
    assertThat(ipam.perHostPools()).isEmpty();
  }

  @Test
  void theReadModelCarriesThePublicationsAndAdvertisedAddressesOfOneRead() {
    TwoHosts t = twoHostsPublishing();
    IpAddress a1 = t.a1();
    IpAddress a2 = t.a2();
    ipam.syncServiceVips(H1);
    ipam.advertise(H1, IpAddress.parse("192.0.2.1"));
    store.transact(
        "bad",
        v -> {
          v.put(Keys.advertise("h9"), "not-an-address".getBytes(StandardCharsets.UTF_8));
          return null;
        });

    IpamQueries.Snapshot s = ipam.queries().snapshot();
    assertThat(s.revision()).isEqualTo(store.revision());
    assertThat(s.perHost()).hasSize(1);
    IpamQueries.PerHostPoolView p = s.perHost().get(0);
    assertThat(p.pool()).isEqualTo(POOL);
    assertThat(p.catalog()).isEmpty();
    assertThat(p.published())
        .isEqualTo(ipam.publishedTasks(POOL))
        .containsExactly(
            new NodeTasks(POOL, H1, List.of(web("t1", a1))),
            new NodeTasks(POOL, H2, List.of(web("t2", a2))));
    assertThat(s.advertised())
        .as("the malformed value is left out")
        .containsExactly(Map.entry(H1, IpAddress.parse("192.0.2.1")));

    LbDesiredState plan = s.lbDesiredState(H1);
    assertThat(plan).isEqualTo(ipam.lbDesiredState(H1));
    assertThat(plan.vips())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.hostVip()).isTrue();
              assertThat(v.backends()).containsExactlyInAnyOrder(a1, a2);
            });
    assertThat(s.lbDesiredState(H3).vips()).as("h3 holds no per-host pool").isEmpty();
  }
}
