package org.clusteripam.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class LeakDeciderTest {
  static final HostId ME = new HostId("h1");
  static final HostId OTHER = new HostId("h2");
  static final PoolId P = new PoolId("L/10.5.0.0/24");
  static final IpPrefix NET = IpPrefix.parse("10.5.0.0/24");
  static final Duration GRACE = Duration.ofMinutes(1);
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  static StoredAddress addr(String a, HostId owner, long rev) {
    return new StoredAddress(P, ip(a), holderSet(owner.value()), rev, rev, false);
  }

  static DockerNetwork net(String... endpoints) {
    return new DockerNetwork(
        "id1",
        "n1",
        List.of(NET),
        Set.of(ip("10.5.0.1")),
        Set.of(),
        java.util.Arrays.stream(endpoints)
            .map(IpAddress::parse)
            .collect(java.util.stream.Collectors.toSet()));
  }

  static StoreView store(long rev, StoredAddress... a) {
    return new StoreView(rev, List.of(new StoredPool(P, NET, true, 1)), List.of(a));
  }

  @Test
  void liveAddressesAreNeverCandidates() {
    StoreView s = store(100, addr("10.5.0.1", ME, 2), addr("10.5.0.2", ME, 3));
    DockerState d = new DockerState(List.of(net("10.5.0.2")));
    LeakDecider.Decision first = LeakDecider.decide(ME, s, d, Map.of(), T0, GRACE);
    LeakDecider.Decision later =
        LeakDecider.decide(ME, s, d, first.suspects(), T0.plus(Duration.ofHours(1)), GRACE);
    assertThat(later.findings()).isEmpty();
    assertThat(later.releasable()).isEmpty();
  }

  @Test
  void leakNeedsTwoSightingsAndTheGracePeriod() {
    StoreView s = store(100, addr("10.5.0.1", ME, 2), addr("10.5.0.9", ME, 3));
    DockerState d = new DockerState(List.of(net()));
    LeakDecider.Decision first = LeakDecider.decide(ME, s, d, Map.of(), T0, GRACE);
    assertThat(first.of(Finding.LeakedAddress.class))
        .extracting(Finding.LeakedAddress::address)
        .containsExactly(ip("10.5.0.9"));
    assertThat(first.releasable()).as("one sighting").isEmpty();
    LeakDecider.Decision early =
        LeakDecider.decide(ME, s, d, first.suspects(), T0.plusSeconds(30), GRACE);
    assertThat(early.releasable()).as("second sighting inside the grace period").isEmpty();
    LeakDecider.Decision due =
        LeakDecider.decide(ME, s, d, early.suspects(), T0.plusSeconds(60), GRACE);
    assertThat(due.releasable())
        .containsExactly(new Finding.LeakedAddress(P, ip("10.5.0.9"), 3, 3));
  }

  @Test
  void recordsWrittenAtOrAfterTheRevisionTakenBeforeDockerAreLeftAlone() {
    StoreView s = store(100, addr("10.5.0.1", ME, 2), addr("10.5.0.9", ME, 100));
    DockerState d = new DockerState(List.of(net()));
    LeakDecider.Decision first = LeakDecider.decide(ME, s, d, Map.of(), T0, GRACE);
    LeakDecider.Decision later =
        LeakDecider.decide(ME, s, d, first.suspects(), T0.plus(Duration.ofHours(1)), GRACE);
    assertThat(later.releasable()).isEmpty();
    assertThat(later.suspects()).isEmpty();
  }

  @Test
  void aWriteToTheBlockAfterTheRevisionPostponesButDoesNotReset() {
    DockerState d = new DockerState(List.of(net()));
    LeakDecider.Decision first =
        LeakDecider.decide(
            ME,
            store(100, addr("10.5.0.1", ME, 2), addr("10.5.0.9", ME, 3)),
            d,
            Map.of(),
            T0,
            GRACE);
    StoredAddress busy = new StoredAddress(P, ip("10.5.0.9"), holderSet("h1"), 150, 3, false);
    LeakDecider.Decision second =
        LeakDecider.decide(
            ME,
            store(120, addr("10.5.0.1", ME, 2), busy),
            d,
            first.suspects(),
            T0.plusSeconds(90),
            GRACE);
    assertThat(second.releasable()).isEmpty();
    LeakDecider.Decision third =
        LeakDecider.decide(
            ME,
            store(200, addr("10.5.0.1", ME, 2), busy),
            d,
            second.suspects(),
            T0.plusSeconds(120),
            GRACE);
    assertThat(third.releasable())
        .containsExactly(new Finding.LeakedAddress(P, ip("10.5.0.9"), 150, 3));
  }

  @Test
  void aGatewayDockerDoesNotShowLivesAsLongAsItsNetwork() {
    StoredAddress gw = new StoredAddress(P, ip("10.5.0.1"), holderSet("h1"), 2, 2, true);
    StoreView s = new StoreView(100, List.of(new StoredPool(P, NET, true, 1)), List.of(gw));
    DockerState hidden =
        new DockerState(
            List.of(new DockerNetwork("id1", "n1", List.of(NET), Set.of(), Set.of(), Set.of())));
    LeakDecider.Decision first = LeakDecider.decide(ME, s, hidden, Map.of(), T0, GRACE);
    assertThat(
            LeakDecider.decide(ME, s, hidden, first.suspects(), T0.plusSeconds(600), GRACE)
                .findings())
        .isEmpty();
    LeakDecider.Decision gone =
        LeakDecider.decide(ME, s, new DockerState(List.of()), Map.of(), T0, GRACE);
    assertThat(gone.of(Finding.LeakedAddress.class)).hasSize(1);
  }

  @Test
  void aSwarmNetworkHeldOnlyByTheSwarmAllocatorIsNotMissingHere() {
    PoolId ov = new PoolId("L/10.9.0.0/24");
    IpPrefix ovNet = IpPrefix.parse("10.9.0.0/24");
    StoreView s =
        new StoreView(
            100,
            List.of(new StoredPool(ov, ovNet, false, 1)),
            List.of(new StoredAddress(ov, ip("10.9.0.2"), holderSet("@global"), 3, 3, false)));
    DockerNetwork swarm =
        new DockerNetwork("o", "ov", List.of(ovNet), Set.of(), Set.of(), Set.of(), Map.of(), true);
    assertThat(
            LeakDecider.decide(ME, s, new DockerState(List.of(swarm)), Map.of(), T0, GRACE)
                .findings())
        .isEmpty();
    DockerNetwork local =
        new DockerNetwork(
            "o",
            "ov",
            List.of(ovNet),
            Set.of(),
            Set.of(),
            Set.of(),
            Map.of(ovNet, IpPrefix.parse("10.9.0.128/25")),
            false);
    assertThat(
            LeakDecider.decide(ME, s, new DockerState(List.of(local)), Map.of(), T0, GRACE)
                .findings())
        .containsExactly(
            new Finding.MissingPool(
                "ov", ovNet, java.util.Optional.of(IpPrefix.parse("10.9.0.128/25"))));
  }

  @Test
  void aRewrittenRecordStartsCountingAgain() {
    DockerState d = new DockerState(List.of(net()));
    LeakDecider.Decision first =
        LeakDecider.decide(
            ME,
            store(100, addr("10.5.0.1", ME, 2), addr("10.5.0.9", ME, 3)),
            d,
            Map.of(),
            T0,
            GRACE);
    // Released and re-allocated between passes: a new allocation at revision 120.
    LeakDecider.Decision second =
        LeakDecider.decide(
            ME,
            store(200, addr("10.5.0.1", ME, 2), addr("10.5.0.9", ME, 120)),
            d,
            first.suspects(),
            T0.plus(Duration.ofHours(1)),
            GRACE);
    assertThat(second.releasable()).isEmpty();
    assertThat(second.suspects().get("leaked " + P + " 10.5.0.9").sightings()).isEqualTo(1);
  }

  @Test
  void anAddressThatComesBackIsForgotten() {
    StoreView s = store(100, addr("10.5.0.1", ME, 2), addr("10.5.0.9", ME, 3));
    LeakDecider.Decision first =
        LeakDecider.decide(ME, s, new DockerState(List.of(net())), Map.of(), T0, GRACE);
    LeakDecider.Decision back =
        LeakDecider.decide(
            ME,
            s,
            new DockerState(List.of(net("10.5.0.9"))),
            first.suspects(),
            T0.plusSeconds(61),
            GRACE);
    LeakDecider.Decision gone =
        LeakDecider.decide(
            ME, s, new DockerState(List.of(net())), back.suspects(), T0.plusSeconds(122), GRACE);
    assertThat(gone.releasable()).as("sightings must be consecutive").isEmpty();
  }

  @Test
  void otherHostsAndSwarmAllocationsAreNeverReleased() {
    PoolId other = new PoolId("L/10.6.0.0/24");
    StoreView s =
        new StoreView(
            100,
            List.of(
                new StoredPool(P, NET, true, 1),
                new StoredPool(other, IpPrefix.parse("10.6.0.0/24"), false, 1)),
            List.of(
                addr("10.5.0.1", ME, 2),
                addr("10.5.0.7", OTHER, 3),
                new StoredAddress(P, ip("10.5.0.8"), holderSet("@global"), 3, 3, false),
                new StoredAddress(other, ip("10.6.0.5"), holderSet("h2"), 3, 3, false)));
    DockerState d = new DockerState(List.of(net()));
    LeakDecider.Decision first = LeakDecider.decide(ME, s, d, Map.of(), T0, GRACE);
    LeakDecider.Decision later =
        LeakDecider.decide(ME, s, d, first.suspects(), T0.plus(Duration.ofHours(1)), GRACE);
    assertThat(later.findings()).isEmpty();
  }

  @Test
  void missingAndConflictingAddressesAreReportedNotReleased() {
    StoreView s = store(100, addr("10.5.0.1", ME, 2), addr("10.5.0.7", OTHER, 3));
    DockerState d =
        new DockerState(
            List.of(
                net("10.5.0.7", "10.5.0.8"),
                new DockerNetwork(
                    "id2",
                    "n2",
                    List.of(IpPrefix.parse("10.7.0.0/24")),
                    Set.of(ip("10.7.0.1")),
                    Set.of(),
                    Set.of())));
    // 10.5.0.8 is held by nobody; 10.5.0.7 by h2.
    LeakDecider.Decision dd = LeakDecider.decide(ME, s, d, Map.of(), T0, GRACE);
    assertThat(dd.findings())
        .containsExactlyInAnyOrder(
            new Finding.ConflictingAddress("n1", P, ip("10.5.0.7"), holderSet("h2")),
            new Finding.MissingAddress("n1", P, ip("10.5.0.8"), false),
            new Finding.MissingPool(
                "n2", IpPrefix.parse("10.7.0.0/24"), java.util.Optional.empty()));
    assertThat(dd.recordable(true)).hasSize(2);
    assertThat(dd.recordable(false)).isEmpty();
    assertThat(
            LeakDecider.decide(ME, s, d, dd.suspects(), T0.plusSeconds(5), GRACE).recordable(false))
        .hasSize(2);
    assertThat(dd.releasable()).isEmpty();
  }

  @Test
  void poolsOfVanishedNetworksAreReleasedAfterTheirAddresses() {
    StoreView s = store(100, addr("10.5.0.1", ME, 2));
    DockerState d = new DockerState(List.of());
    LeakDecider.Decision first = LeakDecider.decide(ME, s, d, Map.of(), T0, GRACE);
    LeakDecider.Decision due =
        LeakDecider.decide(ME, s, d, first.suspects(), T0.plusSeconds(60), GRACE);
    assertThat(due.releasable())
        .containsExactly(
            new Finding.LeakedAddress(P, ip("10.5.0.1"), 2, 2), new Finding.LeakedPool(P, NET, 1));
  }

  static java.util.SortedSet<org.clusteripam.core.ipam.Holder> holderSet(String... stored) {
    java.util.TreeSet<org.clusteripam.core.ipam.Holder> out = new java.util.TreeSet<>();
    for (String h : stored) {
      out.add(org.clusteripam.core.ipam.Holder.parse(h));
    }
    return out;
  }
}
