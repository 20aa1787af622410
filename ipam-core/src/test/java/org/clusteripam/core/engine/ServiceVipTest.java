package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.ipam.ServiceVip;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.plan.CapacityInput;
import org.clusteripam.core.plan.CapacityPlan;
import org.clusteripam.core.plan.CapacityPlanner;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;
import org.clusteripam.core.testing.RecordingStateStore;
import org.junit.jupiter.api.Test;

class ServiceVipTest {
  static final HostId H1 = new HostId("h1");
  static final HostId H2 = new HostId("h2");
  final InMemoryStateStore mem = new InMemoryStateStore();
  final RecordingStateStore store = new RecordingStateStore(mem);
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  ClusterIpam ipam(IpamConfig c) {
    return new ClusterIpam(store, c, clock);
  }

  static PoolRequest local(HostId h, String pool) {
    return new PoolRequest(
        h,
        "ClusterIpamLocal",
        pool.isEmpty() ? Optional.empty() : Optional.of(IpPrefix.parse(pool)),
        Optional.empty(),
        Map.of(),
        false);
  }

  static AddressRequest any(HostId h, PoolId id) {
    return new AddressRequest(h, id, Optional.empty(), AddressKind.ENDPOINT, Map.of());
  }

  static IpPrefix blockOf(IpAddress a, int len) {
    return IpPrefix.containing(a, len);
  }

  @Test
  void oneVipPerServiceAndHostFromTheHostsOwnBlocksAndReplaysReturnIt() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    PoolId id = ipam.requestPool(local(H1, "10.5.0.0/24")).id();
    ipam.requestPool(local(H2, "10.5.0.0/24"));
    ServiceVip a1 = ipam.requestServiceVip(H1, id, "svc-a");
    ServiceVip b1 = ipam.requestServiceVip(H1, id, "svc-b");
    ServiceVip a2 = ipam.requestServiceVip(H2, id, "svc-a");

    assertThat(ipam.requestServiceVip(H1, id, "svc-a")).isEqualTo(a1);
    assertThat(Set.of(a1.address(), b1.address(), a2.address())).hasSize(3);
    Map<IpPrefix, String> owners = new HashMap<>();
    ipam.queries()
        .snapshot()
        .allPools()
        .get(0)
        .blocks()
        .forEach(b -> owners.put(b.block(), b.owner().map(Holder::format).orElse("")));
    assertThat(owners.get(blockOf(a1.address(), 26))).isEqualTo("h1");
    assertThat(owners.get(blockOf(b1.address(), 26))).isEqualTo("h1");
    assertThat(owners.get(blockOf(a2.address(), 26))).isEqualTo("h2");
    assertThat(ipam.serviceVips(H1, id)).containsExactly(a1, b1);
    assertThat(ipam.serviceVips(H2, id)).containsExactly(a2);
    assertThat(ipam.queries().serviceVipsOf(new HostId("h1")))
        .containsEntry(
            IpPrefix.parse("10.5.0.0/24"),
            new java.util.TreeMap<>(Map.of("svc-a", a1.address(), "svc-b", b1.address())));
  }

  @Test
  void vipsAreNotHeldByTheHostItselfSoTheyAreNeverMistakenForItsContainers() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    PoolId id = ipam.requestPool(local(H1, "10.5.0.0/24")).id();
    ServiceVip v = ipam.requestServiceVip(H1, id, "svc-a");
    IpamQueries.AddressView av =
        ipam.queries().snapshot().allPools().get(0).blocks().get(0).addresses().get(0);
    assertThat(av.address()).isEqualTo(v.address());
    assertThat(av.holders())
        .doesNotContain(Holder.of("h1"))
        .allMatch(h -> h.format().startsWith("@"));
    assertThat(av.vipService()).contains("svc-a");
    assertThat(av.vipHost()).contains("h1");
    // Releasing it as a plain address of h1 does nothing; a preferred request for it conflicts.
    ipam.releaseAddress(H1, id, v.address());
    assertThat(ipam.serviceVips(H1, id)).containsExactly(v);
    assertThatThrownBy(
            () ->
                ipam.requestAddress(
                    new AddressRequest(
                        H2, id, Optional.of(v.address()), AddressKind.ENDPOINT, Map.of())))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("the VIP of service svc-a on host h1");
  }

  @Test
  void aVipRequestOnAHostWithRoomReadsAndWritesOnlyItsOwnBlock() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    PoolId id = ipam.requestPool(local(H1, "10.5.0.0/16")).id();
    IpAddress first = ipam.requestAddress(any(H1, id)).address();
    store.clear();
    ipam.requestServiceVip(H1, id, "svc-a");
    ipam.requestServiceVip(H1, id, "svc-a");
    ipam.releaseServiceVip(H1, id, "svc-a");
    String block = "blocks/10.5.0.0-16/" + blockOf(first, 26).network() + "-26";
    assertThat(store.log()).hasSize(3);
    for (RecordingStateStore.Access acc : store.log()) {
      assertThat(acc.read()).containsExactly(block);
    }
  }

  @Test
  void releaseRestoresCapacityAndUnknownReleasesAreNoOps() {
    IpamConfig c = IpamConfig.builder().strictAffinity(true).build();
    ClusterIpam ipam = ipam(c);
    PoolId id = ipam.requestPool(local(H1, "10.5.0.0/26")).id(); // one block, 62 usable addresses
    List<ServiceVip> vips = new ArrayList<>();
    for (int i = 0; i < 62; i++) {
      vips.add(ipam.requestServiceVip(H1, id, "s" + i));
    }
    assertThatThrownBy(() -> ipam.requestServiceVip(H1, id, "one-more"))
        .isInstanceOfSatisfying(
            ExhaustedException.class,
            e -> {
              assertThat(e.level()).isEqualTo(ExhaustedException.Level.HOST_BLOCK);
              assertThat(e.prefix()).isEqualTo(IpPrefix.parse("10.5.0.0/26"));
            })
        .hasMessageContaining("one-more")
        .hasMessageContaining("10.5.0.0/26");
    assertThatThrownBy(() -> ipam.requestAddress(any(H1, id)))
        .isInstanceOf(ExhaustedException.class);
    ipam.releaseServiceVip(H1, id, "not-there");
    ipam.releaseServiceVip(H2, id, "s3"); // another host's service of that name: nothing
    ipam.releaseServiceVip(H1, new PoolId("nope"), "s3");
    assertThat(ipam.serviceVips(H1, id)).hasSize(62);
    ipam.releaseServiceVip(H1, id, "s7");
    assertThat(ipam.requestServiceVip(H1, id, "one-more").address())
        .isEqualTo(vips.get(7).address());
    ipam.releaseServiceVip(H1, id, "s8");
    assertThat(ipam.requestAddress(any(H1, id)).address()).isEqualTo(vips.get(8).address());
  }

  @Test
  void exhaustionWithoutOwnBlocksNamesThePoolAndVipsAreNeverBorrowed() {
    ClusterIpam ipam = ipam(IpamConfig.defaults()); // borrowing allowed for containers
    PoolId id = ipam.requestPool(local(H2, "10.5.0.0/26")).id();
    ipam.requestAddress(any(H2, id)); // h2 owns the only block
    ipam.requestPool(local(H1, "10.5.0.0/26"));
    assertThat(ipam.requestAddress(any(H1, id)).address()).isNotNull(); // a container may borrow
    assertThatThrownBy(() -> ipam.requestServiceVip(H1, id, "svc"))
        .isInstanceOfSatisfying(
            ExhaustedException.class,
            e -> {
              assertThat(e.level()).isEqualTo(ExhaustedException.Level.POOL);
              assertThat(e.prefix()).isEqualTo(IpPrefix.parse("10.5.0.0/26"));
            })
        .hasMessageContaining("no free block left to claim in pool 10.5.0.0/26");
  }

  @Test
  void badInputIsRefusedAndChangesNothing() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    PoolId id = ipam.requestPool(local(H1, "10.5.0.0/24")).id();
    long rev = mem.revision();
    assertThatThrownBy(() -> ipam.requestServiceVip(H1, id, "a/b"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("service id");
    assertThatThrownBy(() -> ipam.requestServiceVip(H1, id, ""))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(
            () -> ipam.requestServiceVip(H1, new PoolId("ClusterIpamLocal/10.9.0.0/24"), "svc"))
        .isInstanceOf(UnknownPoolException.class)
        .hasMessageContaining("ClusterIpamLocal/10.9.0.0/24");
    assertThatThrownBy(() -> ipam.requestServiceVip(H1, new PoolId("garbage"), "svc"))
        .isInstanceOf(UnknownPoolException.class);
    assertThat(mem.revision()).isEqualTo(rev);
  }

  @Test
  void releasePoolFreesTheHostsVipsAndOnlyThose() {
    ClusterIpam ipam = ipam(IpamConfig.defaults());
    PoolId id = ipam.requestPool(local(H1, "10.5.0.0/24")).id();
    ipam.requestPool(local(H2, "10.5.0.0/24"));
    ipam.requestServiceVip(H1, id, "svc-a");
    ServiceVip h2a = ipam.requestServiceVip(H2, id, "svc-a");
    ipam.releasePool(H1, id);
    assertThat(ipam.serviceVips(H1, id)).isEmpty();
    assertThat(ipam.serviceVips(H2, id)).containsExactly(h2a);
    IpamQueries.PoolView pv = ipam.queries().snapshot().allPools().get(0);
    assertThat(pv.used()).isEqualTo(1);
    assertThat(pv.serviceVips()).isEqualTo(1);
    assertThat(pv.blocks())
        .allMatch(b -> !b.isOwnedBy(Holder.of("h1"))); // h1's emptied block went back
    ipam.releasePool(H2, id);
    assertThat(ipam.queries().snapshot().allPools()).isEmpty();
    assertThat(ipam.serviceVips(H2, id)).isEmpty();
  }

  /**
   * The capacity example made real: a /16 of /20 networks and /25 host blocks, 100 VIP-mode
   * services. On every one of the 32 hosts of one network, 100 VIPs and then containers until the
   * host's block is full: the counts are exactly the capacity planner's, the first and last blocks
   * included.
   */
  @Test
  void allocatingTheSeedExampleMatchesTheCapacityPlan() {
    CapacityPlan plan =
        CapacityPlanner.plan(new CapacityInput(IpPrefix.parse("192.168.0.0/16"), 20, 25, 100));
    IpamConfig c =
        IpamConfig.builder()
            .supernet(IpPrefix.parse("192.168.0.0/16"))
            .networkLength(IpFamily.IPV4, 20)
            .blockLength(IpFamily.IPV4, 25)
            .strictAffinity(true)
            .build();
    ClusterIpam ipam = new ClusterIpam(mem, c, clock); // no recording: 4,000 transactions
    int hosts = plan.hostsPerNetwork().intValueExact();
    int services = plan.serviceVipsPerHost().intValueExact();
    List<HostId> ids = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      ids.add(new HostId("node-" + i));
    }
    PoolGrant g = ipam.requestPool(local(ids.get(0), ""));
    assertThat(g.pool()).isEqualTo(IpPrefix.parse("192.168.0.0/20"));
    IpAddress gw =
        ipam.requestAddress(
                new AddressRequest(
                    ids.get(0), g.id(), Optional.empty(), AddressKind.GATEWAY, Map.of()))
            .address();
    assertThat(gw).isEqualTo(IpAddress.parse("192.168.0.1"));
    Set<IpAddress> all = new HashSet<>(List.of(gw));
    Map<HostId, IpPrefix> blockOf = new HashMap<>();
    Map<HostId, Integer> containers = new HashMap<>();
    for (HostId h : ids) {
      ipam.requestPool(local(h, "192.168.0.0/20"));
      for (int s = 0; s < services; s++) {
        ServiceVip v = ipam.requestServiceVip(h, g.id(), "service-" + s);
        assertThat(all.add(v.address())).isTrue();
        IpPrefix b = blockOf(v.address(), 25);
        // all of a host's VIPs in its one block
        assertThat(blockOf.computeIfAbsent(h, k -> b)).isEqualTo(b);
      }
    }
    assertThat(new HashSet<>(blockOf.values())).hasSize(hosts); // every block, one per host
    for (HostId h : ids) {
      int n = 0;
      while (true) {
        try {
          IpAddress a = ipam.requestAddress(any(h, g.id())).address();
          assertThat(all.add(a)).isTrue();
          assertThat(blockOf(a, 25)).isEqualTo(blockOf.get(h));
          n++;
        } catch (ExhaustedException e) {
          assertThat(e.level()).isEqualTo(ExhaustedException.Level.HOST_BLOCK);
          assertThat(e.prefix()).isEqualTo(blockOf.get(h));
          break;
        }
      }
      containers.put(h, n);
    }
    IpPrefix first = IpPrefix.parse("192.168.0.0/25");
    IpPrefix last = IpPrefix.parse("192.168.15.128/25");
    int typical = plan.containerAddressesPerHost().intValueExact();
    assertThat(typical).isEqualTo(28);
    long total = 0;
    for (HostId h : ids) {
      IpPrefix b = blockOf.get(h);
      // network+gateway / broadcast
      int expected = b.equals(first) ? typical - 2 : b.equals(last) ? typical - 1 : typical;
      assertThat(containers.get(h)).as("containers in %s", b).isEqualTo(expected);
      total += containers.get(h);
    }
    assertThat(BigInteger.valueOf(total)).isEqualTo(plan.containerAddressesPerNetwork());
    assertThat(plan.minContainerAddressesPerHost()).isEqualTo(BigInteger.valueOf(typical - 2));
    IpamQueries.PoolView pv = ipam.queries().snapshot().allPools().get(0);
    assertThat(pv.serviceVips()).isEqualTo((long) hosts * services);
    assertThat(pv.used()).isEqualTo(4096 - 2); // everything but the network and broadcast addresses
    assertThat(BigInteger.valueOf(pv.used() - pv.serviceVips() - 1))
        .isEqualTo(plan.containerAddressesPerNetwork());
  }
}
