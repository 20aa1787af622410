package org.clusteripam.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.Test;

/**
 * The re-check before a leak is released: live again, re-allocated, Docker unreadable; and the
 * conditional release itself.
 */
class LeakReleaseTest {
  static final HostId H1 = new HostId("h1");
  static final IpPrefix NET = IpPrefix.parse("10.5.0.0/24");
  final InMemoryStateStore store = new InMemoryStateStore();
  static final HostId H2 = new HostId("h2");
  final IpamEngine engine = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC());
  final DriverIpam ipam = engine.driver();
  final PoolId pool =
      ipam.requestPool(
              new PoolRequest(
                  H1, "ClusterIpamLocal", Optional.of(NET), Optional.empty(), Map.of(), false))
          .id();
  final IpAddress x =
      ipam.requestAddress(
              new AddressRequest(
                  H1,
                  pool,
                  Optional.of(IpAddress.parse("10.5.0.9")),
                  AddressKind.ENDPOINT,
                  Map.of()))
          .address();

  static DockerState docker(Set<IpAddress> endpoints, IpPrefix... subnets) {
    return new DockerState(
        subnets.length == 0
            ? List.of()
            : List.of(
                new DockerNetwork("n", "n", List.of(subnets), Set.of(), Set.of(), endpoints)));
  }

  StoreView stored(long generation, String... holders) {
    return new StoreView(
        store.revision(),
        List.of(new StoredPool(pool, NET, true, 1)),
        List.of(new StoredAddress(pool, x, holderSet(holders), 1, generation, false)));
  }

  @Test
  void aLeakIsKeptWhenDockerUsesItAgainOrTheStoreChanged() {
    Finding.LeakedAddress leak = new Finding.LeakedAddress(pool, x, 1, 7);
    assertThat(LeakRelease.recheck(leak, H1, docker(Set.of()), stored(7, "h1"))).isEmpty();
    assertThat(LeakRelease.recheck(leak, H1, docker(Set.of(x), NET), stored(7, "h1")))
        .contains(new LeakRelease.Kept(leak, true, false));
    assertThat(LeakRelease.recheck(leak, H1, docker(Set.of()), stored(8, "h1")))
        .as("freed and handed out again")
        .contains(new LeakRelease.Kept(leak, false, true));
    assertThat(LeakRelease.recheck(leak, H1, docker(Set.of()), stored(7, "h2")))
        .as("no longer this host's")
        .contains(new LeakRelease.Kept(leak, false, true));
    Finding.LeakedPool gone = new Finding.LeakedPool(pool, NET, 1);
    assertThat(LeakRelease.recheck(gone, H1, docker(Set.of()), stored(7, "h1"))).isEmpty();
    assertThat(LeakRelease.recheck(gone, H1, docker(Set.of(), NET), stored(7, "h1"))).isPresent();
  }

  @Test
  void releaseIsConditionalOnTheAllocationJudgedLeaked() {
    long since =
        engine.queries().snapshot().allPools().get(0).blocks().get(0).addresses().stream()
            .filter(a -> a.address().equals(x))
            .findFirst()
            .orElseThrow()
            .sinceMillis();
    Finding.LeakedAddress other = new Finding.LeakedAddress(pool, x, 1, since - 1);
    // The store view still says "since - 1" (read before a re-allocation), the engine knows better.
    assertThat(
            LeakRelease.release(
                List.of(other),
                H1,
                () -> Optional.of(docker(Set.of())),
                () -> stored(since - 1, "h1"),
                ipam))
        .containsExactly(new LeakRelease.Kept(other, false, true));
    assertThatThrownBy(
            () ->
                ipam.requestAddress(
                    new AddressRequest(H2, pool, Optional.of(x), AddressKind.ENDPOINT, Map.of())))
        .as("still h1's")
        .isInstanceOf(ConflictException.class);

    Finding.LeakedAddress leak = new Finding.LeakedAddress(pool, x, 1, since);
    assertThat(
            LeakRelease.release(
                List.of(leak),
                H1,
                () -> Optional.of(docker(Set.of())),
                () -> stored(since, "h1"),
                ipam))
        .containsExactly(new LeakRelease.Released(leak));
    assertThat(
            ipam.requestAddress(
                    new AddressRequest(H2, pool, Optional.of(x), AddressKind.ENDPOINT, Map.of()))
                .address())
        .isEqualTo(x);
  }

  @Test
  void dockerUnreadablePostponesEverything() {
    Finding.LeakedPool gone = new Finding.LeakedPool(pool, NET, 1);
    List<Object> asked = new ArrayList<>();
    assertThat(
            LeakRelease.release(
                List.of(gone),
                H1,
                Optional::empty,
                () -> {
                  asked.add("store");
                  return stored(1, "h1");
                },
                ipam))
        .singleElement()
        .isInstanceOf(LeakRelease.Postponed.class);
    assertThat(
            LeakRelease.release(
                List.of(gone),
                H1,
                () -> {
                  throw new IllegalStateException("docker down");
                },
                () -> stored(1, "h1"),
                ipam))
        .singleElement()
        .satisfies(o -> assertThat(((LeakRelease.Postponed) o).why()).hasMessage("docker down"));
    assertThat(asked).isEmpty();
    assertThat(ipam.finishDeletions()).isEmpty();
  }

  static java.util.SortedSet<org.clusteripam.core.ipam.Holder> holderSet(String... stored) {
    java.util.TreeSet<org.clusteripam.core.ipam.Holder> out = new java.util.TreeSet<>();
    for (String h : stored) {
      out.add(org.clusteripam.core.ipam.Holder.parse(h));
    }
    return out;
  }
}
