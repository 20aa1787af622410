package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.clusteripam.core.ipam.AddressGrant;
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
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.testing.MutableClock;
import org.clusteripam.core.testing.RecordingStateStore;
import org.junit.jupiter.api.Test;

class ClusterIpamTest {
  static final HostId H1 = new HostId("h1");
  static final HostId H2 = new HostId("h2");
  final InMemoryStateStore mem = new InMemoryStateStore();
  final RecordingStateStore store = new RecordingStateStore(mem);
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  ClusterIpam ipam(IpamConfig c) {
    return new ClusterIpam(store, c, clock);
  }

  ClusterIpam ipam() {
    return ipam(IpamConfig.defaults());
  }

  static IpPrefix p(String s) {
    return IpPrefix.parse(s);
  }

  static IpAddress a(String s) {
    return IpAddress.parse(s);
  }

  static PoolRequest local(HostId h, String pool) {
    return new PoolRequest(
        h,
        "ClusterIpamLocal",
        pool.isEmpty() ? Optional.empty() : Optional.of(p(pool)),
        Optional.empty(),
        Map.of(),
        false);
  }

  static PoolRequest global(String pool) {
    return new PoolRequest(
        new HostId("manager"),
        "ClusterIpamGlobal",
        Optional.of(p(pool)),
        Optional.empty(),
        Map.of(),
        false);
  }

  static AddressRequest any(HostId h, PoolId id) {
    return new AddressRequest(h, id, Optional.empty(), AddressKind.ENDPOINT, Map.of());
  }

  static AddressRequest exact(HostId h, PoolId id, String addr) {
    return new AddressRequest(h, id, Optional.of(a(addr)), AddressKind.ENDPOINT, Map.of());
  }

  static AddressRequest gateway(HostId h, PoolId id, String addr) {
    return new AddressRequest(
        h,
        id,
        addr.isEmpty() ? Optional.empty() : Optional.of(a(addr)),
        AddressKind.GATEWAY,
        Map.of());
  }

  @Test
  void explicitPoolIsReturnedUnchangedWithAReadableId() {
    PoolGrant g = ipam().requestPool(local(H1, "10.5.0.0/24"));
    assertThat(g.pool()).isEqualTo(p("10.5.0.0/24"));
    assertThat(g.id().value()).isEqualTo("ClusterIpamLocal/10.5.0.0/24");
    assertThat(g.gateway()).isEmpty();
  }

  @Test
  void autoPoolsAreCarvedLowestFirstAndAnIdenticalRepeatGetsAnotherPool() {
    ClusterIpam ipam = ipam();
    PoolGrant first = ipam.requestPool(local(H1, ""));
    PoolGrant second = ipam.requestPool(local(H1, ""));
    assertThat(first.pool()).isEqualTo(p("10.80.0.0/24"));
    assertThat(second.pool()).isEqualTo(p("10.80.1.0/24"));
    ipam.releasePool(H1, first.id());
    assertThat(ipam.requestPool(local(H1, "")).pool()).isEqualTo(p("10.80.0.0/24"));
    PoolGrant v6 =
        ipam.requestPool(
            new PoolRequest(
                H1, "ClusterIpamLocal", Optional.empty(), Optional.empty(), Map.of(), true));
    assertThat(v6.pool()).isEqualTo(p("fd80:cafe::/64"));
  }

  @Test
  void explicitPoolInsideTheSupernetIsSkippedByCarving() {
    ClusterIpam ipam = ipam();
    ipam.requestPool(local(H1, "10.80.0.0/23"));
    assertThat(ipam.requestPool(local(H1, "")).pool()).isEqualTo(p("10.80.2.0/24"));
  }

  @Test
  void supernetExhaustionNamesTheSupernet() {
    ClusterIpam ipam = ipam(IpamConfig.builder().supernet(p("10.90.0.0/23")).build());
    ipam.requestPool(local(H1, ""));
    ipam.requestPool(local(H1, ""));
    assertThatThrownBy(() -> ipam.requestPool(local(H1, "")))
        .isInstanceOfSatisfying(
            ExhaustedException.class,
            e -> {
              assertThat(e.level()).isEqualTo(ExhaustedException.Level.SUPERNET);
              assertThat(e.prefix()).isEqualTo(p("10.90.0.0/23"));
            })
        .hasMessageContaining("no free /24 pool left in supernet 10.90.0.0/23");
  }

  @Test
  void overlappingPoolsAreRefusedNamingBoth() {
    ClusterIpam ipam = ipam();
    ipam.requestPool(local(H1, "10.5.0.0/16"));
    long rev = mem.revision();
    assertThatThrownBy(() -> ipam.requestPool(local(H2, "10.5.3.0/24")))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("10.5.3.0/24")
        .hasMessageContaining("10.5.0.0/16");
    assertThat(mem.revision()).isEqualTo(rev);
  }

  @Test
  void requestPoolIsIdempotentPerHostAndSharedAcrossHostsBySubnet() {
    ClusterIpam ipam = ipam();
    PoolGrant g1 = ipam.requestPool(local(H1, "10.5.0.0/24"));
    assertThat(ipam.requestPool(local(H1, "10.5.0.0/24"))).isEqualTo(g1);
    PoolGrant g2 = ipam.requestPool(local(H2, "10.5.0.0/24"));
    assertThat(g2.id()).isEqualTo(g1.id());
    IpAddress x1 = ipam.requestAddress(any(H1, g1.id())).address();
    IpAddress x2 = ipam.requestAddress(any(H2, g2.id())).address();
    assertThat(x1).isNotEqualTo(x2);
    // Each host allocates from its own /26 block.
    assertThat(IpPrefix.containing(x1, 26)).isNotEqualTo(IpPrefix.containing(x2, 26));
    ipam.releasePool(H1, g1.id());
    assertThat(mem.peek("pools/10.5.0.0-24")).isPresent();
    // H1's addresses went with its release; H2's stay.
    assertThat(ipam.requestAddress(exact(H2, g2.id(), x1.toString())).address()).isEqualTo(x1);
    ipam.releasePool(H2, g2.id());
    assertThat(mem.list("pools/10.5.0.0-24")).isEmpty();
    assertThat(mem.list("blocks/")).isEmpty();
    assertThat(mem.list("hosts/")).isEmpty();
  }

  @Test
  void namedNetworksShareOneDynamicPoolPerFamily() {
    ClusterIpam ipam = ipam();
    Map<String, String> opts = Map.of("network", "blue");
    PoolGrant a4 =
        ipam.requestPool(
            new PoolRequest(
                H1, "ClusterIpamLocal", Optional.empty(), Optional.empty(), opts, false));
    PoolGrant b4 =
        ipam.requestPool(
            new PoolRequest(
                H2, "ClusterIpamLocal", Optional.empty(), Optional.empty(), opts, false));
    PoolGrant a6 =
        ipam.requestPool(
            new PoolRequest(
                H1, "ClusterIpamLocal", Optional.empty(), Optional.empty(), opts, true));
    assertThat(b4.pool()).isEqualTo(a4.pool());
    assertThat(a6.pool().family()).isEqualTo(IpFamily.IPV6);
    assertThat(
            ipam.requestPool(
                    new PoolRequest(
                        H1,
                        "ClusterIpamLocal",
                        Optional.empty(),
                        Optional.empty(),
                        Map.of(),
                        false))
                .pool())
        .isNotEqualTo(a4.pool());
  }

  @Test
  void familyComesFromTheCidrAndPoolOptionsAreKept() {
    ClusterIpam ipam = ipam();
    PoolGrant g =
        ipam.requestPool(
            new PoolRequest(
                H1,
                "ClusterIpamGlobal",
                Optional.of(p("fd00:22::/64")),
                Optional.empty(),
                Map.of("com.docker.network.ipam.serial", "true"),
                false));
    assertThat(g.pool()).isEqualTo(p("fd00:22::/64"));
    assertThat(ipam.requestAddress(gateway(H1, g.id(), "")).address()).isEqualTo(a("fd00:22::1"));
    assertThat(
            new String(
                mem.peek("pools/fd00:22::-64").orElseThrow().value(), StandardCharsets.UTF_8))
        .contains("com.docker.network.ipam.serial");
  }

  @Test
  void badRequestsAreRefusedClearlyAndChangeNothing() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    long rev = mem.revision();
    assertThatThrownBy(
            () ->
                ipam.requestPool(
                    new PoolRequest(
                        H1, "Other", Optional.empty(), Optional.empty(), Map.of(), false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown address space \"Other\"");
    assertThatThrownBy(() -> ipam.requestAddress(exact(H1, g.id(), "10.6.0.1")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("not inside pool 10.5.0.0/24");
    assertThatThrownBy(() -> ipam.requestAddress(exact(H1, g.id(), "10.5.0.0")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("network address");
    assertThatThrownBy(() -> ipam.requestAddress(exact(H1, g.id(), "10.5.0.255")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("broadcast address");
    assertThatThrownBy(
            () -> ipam.requestAddress(any(H1, new PoolId("ClusterIpamLocal/10.7.0.0/24"))))
        .isInstanceOf(UnknownPoolException.class)
        .hasMessageContaining("ClusterIpamLocal/10.7.0.0/24");
    assertThatThrownBy(() -> ipam.requestAddress(any(H1, new PoolId("nonsense"))))
        .isInstanceOf(UnknownPoolException.class);
    assertThatThrownBy(
            () ->
                ipam.requestPool(
                    new PoolRequest(
                        H1,
                        "ClusterIpamLocal",
                        Optional.of(p("10.9.0.0/24")),
                        Optional.of(p("10.8.0.0/25")),
                        Map.of(),
                        false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("not inside");
    assertThat(mem.revision()).isEqualTo(rev);
  }

  @Test
  void releasingUnknownThingsSucceedsAndChangesNothing() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    long rev = mem.revision();
    ipam.releasePool(H1, new PoolId("ClusterIpamLocal/10.7.0.0/24"));
    ipam.releasePool(H1, new PoolId("garbage"));
    ipam.releasePool(H2, g.id());
    ipam.releaseAddress(H1, g.id(), a("10.5.0.9"));
    ipam.releaseAddress(H1, g.id(), a("10.6.0.9"));
    ipam.releaseAddress(H1, new PoolId("x/y"), a("10.5.0.9"));
    assertThat(mem.revision()).isEqualTo(rev);
  }

  @Test
  void gatewayIsChosenOnceAnnouncedToJoiningHostsAndHeldByThem() {
    ClusterIpam ipam = ipam();
    PoolGrant g1 = ipam.requestPool(local(H1, "10.5.0.0/24"));
    AddressGrant gw = ipam.requestAddress(gateway(H1, g1.id(), ""));
    assertThat(gw.cidr()).isEqualTo("10.5.0.1/24");
    PoolGrant g2 = ipam.requestPool(local(H2, "10.5.0.0/24"));
    assertThat(g2.gateway()).contains(a("10.5.0.1"));
    // H1 leaves: the gateway stays because H2 (which Docker told to use it) still holds it.
    ipam.releaseAddress(H1, g1.id(), gw.address());
    ipam.releasePool(H1, g1.id());
    assertThatThrownBy(() -> ipam.requestAddress(exact(new HostId("h3"), g1.id(), "10.5.0.1")))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("as the gateway")
        .hasMessageContaining("host h2");
    ipam.releaseAddress(H2, g2.id(), gw.address());
    ipam.requestPool(local(H2, "10.5.0.0/24")); // still held: idempotent, no gateway now
    assertThat(ipam.requestPool(local(new HostId("h3"), "10.5.0.0/24")).gateway()).isEmpty();
  }

  @Test
  void explicitGatewayAndAuxAddressesOutsideTheIpRange() {
    ClusterIpam ipam = ipam();
    PoolGrant g =
        ipam.requestPool(
            new PoolRequest(
                H1,
                "ClusterIpamLocal",
                Optional.of(p("10.6.0.0/16")),
                Optional.of(p("10.6.5.0/24")),
                Map.of(),
                false));
    assertThat(ipam.requestAddress(gateway(H1, g.id(), "10.6.0.254")).address())
        .isEqualTo(a("10.6.0.254"));
    assertThat(ipam.requestAddress(exact(H1, g.id(), "10.6.9.9")).cidr()).isEqualTo("10.6.9.9/16");
    Set<IpAddress> got = new HashSet<>();
    for (int i = 0; i < 256; i++) { // the whole range: no network or broadcast address inside it
      IpAddress x = ipam.requestAddress(any(H1, g.id())).address();
      assertThat(p("10.6.5.0/24").contains(x)).as("%s in the ip-range", x).isTrue();
      got.add(x);
    }
    assertThat(got).hasSize(256);
    assertThatThrownBy(() -> ipam.requestAddress(any(H1, g.id())))
        .isInstanceOfSatisfying(
            ExhaustedException.class,
            e -> assertThat(e.level()).isEqualTo(ExhaustedException.Level.IP_RANGE))
        .hasMessageContaining("ip-range 10.6.5.0/24 of pool 10.6.0.0/16");
  }

  @Test
  void aHostReplayingItsOwnAddressGetsItAnotherHostIsRefused() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    ipam.requestPool(local(H2, "10.5.0.0/24"));
    assertThat(ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")).address())
        .isEqualTo(a("10.5.0.50"));
    // dockerd's restore: the pool first, then its addresses
    ipam.requestPool(local(H1, "10.5.0.0/24"));
    assertThat(ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")).address())
        .isEqualTo(a("10.5.0.50"));
    assertThatThrownBy(() -> ipam.requestAddress(exact(H2, g.id(), "10.5.0.50")))
        .isInstanceOf(ConflictException.class)
        .hasMessage("address 10.5.0.50 in pool 10.5.0.0/24 is already in use by host h1");
  }

  @Test
  void clusterModeNodesReferenceTheManagersAddresses() {
    ClusterIpam ipam = ipam();
    PoolGrant gg = ipam.requestPool(global("10.20.0.0/24"));
    IpAddress gw =
        ipam.requestAddress(
                new AddressRequest(
                    H1,
                    gg.id(),
                    Optional.of(a("10.20.0.254")),
                    AddressKind.GATEWAY,
                    true,
                    Map.of()))
            .address();
    IpAddress vip =
        ipam.requestAddress(
                new AddressRequest(
                    H1, gg.id(), Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    IpAddress task =
        ipam.requestAddress(
                new AddressRequest(
                    H2, gg.id(), Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    assertThat(Set.of(gw, vip, task)).hasSize(3);
    PoolGrant lg = ipam.requestPool(local(H2, "10.20.0.0/24"));
    assertThat(lg.id().value()).isEqualTo("ClusterIpamLocal/10.20.0.0/24");
    assertThat(ipam.requestAddress(gateway(H2, lg.id(), gw.toString())).address()).isEqualTo(gw);
    assertThat(ipam.requestAddress(exact(H2, lg.id(), task.toString())).address()).isEqualTo(task);
    // The manager releases the task first: the node's reference keeps it.
    ipam.releaseAddress(H1, gg.id(), task);
    assertThatThrownBy(() -> ipam.requestAddress(exact(H1, lg.id(), task.toString())))
        .isInstanceOf(ConflictException.class);
    ipam.releaseAddress(H2, lg.id(), task);
    assertThat(ipam.requestAddress(exact(H1, lg.id(), task.toString())).address()).isEqualTo(task);
    // The manager's ReleasePool frees its leaked addresses but not what the node still holds.
    ipam.releasePool(H1, gg.id());
    assertThat(ipam.requestAddress(exact(H2, lg.id(), vip.toString())).address()).isEqualTo(vip);
    assertThatThrownBy(() -> ipam.requestAddress(exact(new HostId("h3"), lg.id(), gw.toString())))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void exhaustionHappensExactlyAtCapacityAndNamesThePool() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/26"));
    Set<IpAddress> got = new HashSet<>();
    for (int i = 0; i < 62; i++) {
      got.add(ipam.requestAddress(any(H1, g.id())).address());
    }
    assertThat(got).hasSize(62).doesNotContain(a("10.5.0.0"), a("10.5.0.63"));
    assertThatThrownBy(() -> ipam.requestAddress(any(H1, g.id())))
        .isInstanceOfSatisfying(
            ExhaustedException.class,
            e -> {
              assertThat(e.level()).isEqualTo(ExhaustedException.Level.POOL);
              assertThat(e.prefix()).isEqualTo(p("10.5.0.0/26"));
            })
        .hasMessage(
            "no free address in host block 10.5.0.0/26 of pool 10.5.0.0/26, no free block to claim and none to borrow from");
    ipam.releaseAddress(H1, g.id(), a("10.5.0.17"));
    assertThat(ipam.requestAddress(any(H1, g.id())).address()).isEqualTo(a("10.5.0.17"));
  }

  @Test
  void strictAffinityExhaustsAtTheHostBlock() {
    ClusterIpam ipam = ipam(IpamConfig.builder().strictAffinity(true).build());
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/25"));
    ipam.requestPool(local(H2, "10.5.0.0/25"));
    IpAddress h2 = ipam.requestAddress(any(H2, g.id())).address();
    IpPrefix h2block = IpPrefix.containing(h2, 26);
    IpPrefix h1block = h2block.buddy();
    // one reserved address in each half of a /25
    int usable = h1block.contains(a("10.5.0.0")) ? 63 : 63;
    for (int i = 0; i < usable; i++) {
      assertThat(h1block.contains(ipam.requestAddress(any(H1, g.id())).address())).isTrue();
    }
    assertThatThrownBy(() -> ipam.requestAddress(any(H1, g.id())))
        .isInstanceOfSatisfying(
            ExhaustedException.class,
            e -> {
              assertThat(e.level()).isEqualTo(ExhaustedException.Level.HOST_BLOCK);
              assertThat(e.prefix()).isEqualTo(h1block);
            })
        .hasMessageStartingWith(
            "no free address in host block "
                + h1block
                + " of pool 10.5.0.0/25 and no free block to claim");
  }

  @Test
  void withoutStrictAffinityAFullHostBorrowsFromAnotherHostsBlock() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/25"));
    ipam.requestPool(local(H2, "10.5.0.0/25"));
    IpAddress h2 = ipam.requestAddress(any(H2, g.id())).address();
    IpPrefix h2block = IpPrefix.containing(h2, 26);
    for (int i = 0; i < 63; i++) {
      ipam.requestAddress(any(H1, g.id()));
    }
    IpAddress borrowed = ipam.requestAddress(any(H1, g.id())).address();
    assertThat(h2block.contains(borrowed)).isTrue();
    // The block still belongs to h2.
    assertThat(ipam.queries().snapshot().allPools().get(0).blocks())
        .anySatisfy(
            b -> {
              assertThat(b.block()).isEqualTo(h2block);
              assertThat(b.owner()).contains(Holder.of("h2"));
            });
  }

  @Test
  void serialDoesNotReuseAFreedAddressBeforeWrapping() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/29"));
    AddressRequest r =
        new AddressRequest(H1, g.id(), Optional.empty(), AddressKind.ENDPOINT, true, Map.of());
    IpAddress x1 = ipam.requestAddress(r).address();
    IpAddress x2 = ipam.requestAddress(r).address();
    ipam.releaseAddress(H1, g.id(), x1);
    IpAddress x3 = ipam.requestAddress(r).address();
    assertThat(List.of(x1, x2, x3)).containsExactly(a("10.5.0.1"), a("10.5.0.2"), a("10.5.0.3"));
    ipam.requestAddress(r);
    ipam.requestAddress(r);
    assertThat(ipam.requestAddress(r).address()).isEqualTo(a("10.5.0.6"));
    assertThat(ipam.requestAddress(r).address()).isEqualTo(a("10.5.0.1")); // wrapped
  }

  @Test
  void cooldownKeepsAReleasedAddressOutOfDynamicPicks() {
    ClusterIpam ipam = ipam(IpamConfig.builder().cooldown(Duration.ofSeconds(10)).build());
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/29"));
    for (int i = 0; i < 6; i++) {
      ipam.requestAddress(any(H1, g.id()));
    }
    ipam.releaseAddress(H1, g.id(), a("10.5.0.3"));
    assertThatThrownBy(() -> ipam.requestAddress(any(H1, g.id())))
        .isInstanceOf(ExhaustedException.class);
    clock.advance(Duration.ofSeconds(9));
    assertThatThrownBy(() -> ipam.requestAddress(any(H1, g.id())))
        .isInstanceOf(ExhaustedException.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(ipam.requestAddress(any(H1, g.id())).address()).isEqualTo(a("10.5.0.3"));
  }

  @Test
  void aNodeWithOtherCarvingParametersIsRefused() {
    ipam();
    assertThatThrownBy(
            () ->
                ipam(
                    IpamConfig.builder()
                        .blockLength(IpFamily.IPV4, 27)
                        .supernet(p("10.64.0.0/12"))
                        .build()))
        .isInstanceOf(ConfigMismatchException.class)
        .hasMessageContaining("host block length v4 is 26 in the store but 27 here")
        .hasMessageContaining("supernet v4 is 10.80.0.0/12 in the store but 10.64.0.0/12 here");
    ipam(IpamConfig.builder().strictAffinity(true).build()); // not a carving parameter
  }

  @Test
  void theHotPathTouchesOnlyTheHostsBlockKey() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/16"));
    IpAddress first = ipam.requestAddress(any(H1, g.id())).address();
    store.clear();
    IpAddress second = ipam.requestAddress(any(H1, g.id())).address();
    ipam.releaseAddress(H1, g.id(), second);
    assertThat(store.log()).hasSize(2);
    String block = "blocks/10.5.0.0-16/" + IpPrefix.containing(first, 26).network() + "-26";
    for (RecordingStateStore.Access acc : store.log()) {
      assertThat(acc.read()).containsExactly(block);
      assertThat(acc.written()).containsExactly(block);
    }
  }

  @Test
  void ipv6PoolsAllocateFromPerHostBlocks() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "fd00:6::/64"));
    assertThat(ipam.requestAddress(gateway(H1, g.id(), "fd00:6::ffff")).cidr())
        .isEqualTo("fd00:6::ffff/64");
    Set<IpAddress> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      IpAddress x = ipam.requestAddress(any(H1, g.id())).address();
      assertThat(g.pool().contains(x)).isTrue();
      assertThat(seen.add(x)).isTrue();
    }
    assertThat(ipam.requestAddress(exact(H1, g.id(), "fd00:6::77")).address())
        .isEqualTo(a("fd00:6::77"));
  }

  @Test
  void emptyBlocksAreGivenBackOnRequest() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    IpAddress x = ipam.requestAddress(any(H1, g.id())).address();
    ipam.releaseAddress(H1, g.id(), x);
    assertThat(ipam.releaseEmptyBlocks(H1)).containsExactly(IpPrefix.containing(x, 26));
    assertThat(mem.list("blocks/")).isEmpty();
    assertThat(ipam.releaseEmptyBlocks(H1)).isEmpty();
  }

  @Test
  void corruptStateNamesTheKey() {
    ClusterIpam ipam = ipam();
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    IpAddress x = ipam.requestAddress(any(H1, g.id())).address();
    String key = "blocks/10.5.0.0-24/" + IpPrefix.containing(x, 26).network() + "-26";
    mem.transact(
        "break",
        v -> {
          v.put(key, "{\"schema\":1,\"pool\":\"nope\"}".getBytes(StandardCharsets.UTF_8));
          return null;
        });
    assertThatThrownBy(() -> ipam.requestAddress(any(H1, g.id())))
        .isInstanceOfSatisfying(
            StoreCorruptException.class, e -> assertThat(e.key()).isEqualTo(key))
        .hasMessageContaining(key);
  }

  @Test
  void slash64HostBlocksWork() {
    ClusterIpam ipam = ipam(IpamConfig.builder().blockLength(IpFamily.IPV6, 64).build());
    PoolGrant g = ipam.requestPool(local(H1, "fd00:7::/63"));
    IpAddress x = ipam.requestAddress(any(H1, g.id())).address();
    assertThat(IpPrefix.containing(x, 64).contains(x)).isTrue();
    // lowest usable of whichever /64 the host claimed
    assertThat(x).isIn(a("fd00:7::1"), a("fd00:7:0:1::"));
    assertThat(ipam.requestAddress(exact(H1, g.id(), "fd00:7::ffff:ffff:ffff:fffe")).address())
        .isEqualTo(a("fd00:7::ffff:ffff:ffff:fffe"));
    assertThatThrownBy(() -> ipam.requestAddress(exact(H1, g.id(), "fd00:7::ffff:ffff:ffff:ffff")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("RFC 2526");
    assertThat(ipam.queries().snapshot().allPools().get(0).blocks())
        .allSatisfy(b -> assertThat(b.size()).isEqualTo(Long.MAX_VALUE));
  }

  @Test
  void concurrentHostsNeverGetTheSameAddress() throws Exception {
    InMemoryStateStore shared = new InMemoryStateStore();
    int hosts = 4;
    int each = 150;
    List<ClusterIpam> engines = new java.util.ArrayList<>();
    PoolId id = null;
    for (int h = 0; h < hosts; h++) {
      HostId host = new HostId("c" + h);
      ClusterIpam e = new ClusterIpam(shared, IpamConfig.defaults(), clock);
      id = e.requestPool(local(host, "10.5.0.0/22")).id();
      engines.add(e);
    }
    PoolId pool = id;
    java.util.concurrent.ExecutorService exec =
        java.util.concurrent.Executors.newFixedThreadPool(hosts);
    try {
      List<java.util.concurrent.Future<List<IpAddress>>> futures = new java.util.ArrayList<>();
      for (int h = 0; h < hosts; h++) {
        ClusterIpam e = engines.get(h);
        HostId host = new HostId("c" + h);
        futures.add(
            exec.submit(
                () -> {
                  List<IpAddress> got = new java.util.ArrayList<>();
                  for (int i = 0; i < each; i++) {
                    IpAddress x = e.requestAddress(any(host, pool)).address();
                    got.add(x);
                    if (i % 3 == 0) {
                      e.releaseAddress(host, pool, x);
                      got.remove(x);
                    }
                  }
                  return got;
                }));
      }
      Set<IpAddress> all = new HashSet<>();
      int total = 0;
      for (var f : futures) {
        List<IpAddress> got = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        total += got.size();
        all.addAll(got);
      }
      assertThat(all).hasSize(total);
      assertThat(total).isEqualTo(hosts * (each - each / 3));
      long stored = engines.get(0).queries().snapshot().allPools().get(0).used();
      assertThat(stored).isEqualTo(total);
    } finally {
      exec.shutdownNow();
    }
  }

  @Test
  void autoPoolsFromTwoNodesInterleavedNeverCollide() {
    InMemoryStateStore shared = new InMemoryStateStore();
    IpamConfig c = IpamConfig.builder().supernet(p("10.90.0.0/20")).build();
    ClusterIpam a =
        new ClusterIpam(new org.clusteripam.core.testing.RerunningStateStore(shared), c, clock);
    ClusterIpam b = new ClusterIpam(shared, c, clock);
    Set<IpPrefix> got = new HashSet<>();
    List<PoolGrant> grants = new java.util.ArrayList<>();
    for (int i = 0; i < 15; i++) { // 15 carved + 1 static = the 16 /24s of the /20
      ClusterIpam e = i % 3 == 0 ? b : a;
      HostId h = e == a ? H1 : H2;
      PoolGrant g = e.requestPool(local(h, ""));
      assertThat(got.add(g.pool())).as("%s carved twice", g.pool()).isTrue();
      grants.add(g);
      if (i == 7) {
        // a static pool inside the supernet, between carvings: one not carved yet
        IpPrefix free =
            java.util.stream.IntStream.range(0, 16)
                .mapToObj(k -> p("10.90." + k + ".0/24"))
                .filter(x -> !got.contains(x))
                .reduce((x, y) -> y)
                .orElseThrow();
        assertThat(e.requestPool(local(h, free.toString())).pool()).isEqualTo(free);
        assertThat(got.add(free)).isTrue();
      }
    }
    assertThatThrownBy(() -> a.requestPool(local(H1, ""))).isInstanceOf(ExhaustedException.class);
    assertThat(got).hasSize(16);
    // Free two pools from the other node: the first node carves exactly those again.
    b.releasePool(H2, grants.get(0).id());
    a.releasePool(H1, grants.get(1).id());
    assertThat(Set.of(a.requestPool(local(H1, "")).pool(), a.requestPool(local(H1, "")).pool()))
        .containsExactlyInAnyOrder(grants.get(0).pool(), grants.get(1).pool());
  }
}
