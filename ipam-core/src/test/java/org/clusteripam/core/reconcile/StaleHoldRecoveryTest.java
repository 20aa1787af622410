package org.clusteripam.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.IpamChain;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's real SelfHeld conflicts, with Docker's answer as a seam. */
class StaleHoldRecoveryTest {
  static final HostId H1 = new HostId("h1");
  static final IpPrefix POOL = IpPrefix.parse("10.7.0.0/24");
  static final IpAddress X = IpAddress.parse("10.7.0.200");
  final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
  DriverIpam engine;
  PoolId pool;
  AddressRequest again;

  @BeforeEach
  void setUp() {
    engine =
        IpamEngine.open(
                new InMemoryStateStore(), IpamConfig.defaults(), Clock.fixed(t0, ZoneOffset.UTC))
            .driver();
    pool =
        engine
            .requestPool(
                new PoolRequest(
                    H1, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), Map.of(), false))
            .id();
    again = new AddressRequest(H1, pool, Optional.of(X), AddressKind.ENDPOINT, Map.of());
    engine.requestAddress(again); // held since t0; its release gets lost
  }

  final List<String> heard = new ArrayList<>();
  final StaleHoldRecovery.Listener listener =
      new StaleHoldRecovery.Listener() {
        @Override
        public void released(PoolId p, IpAddress a, long since) {
          heard.add("released " + a + " held since " + since);
        }

        @Override
        public void unverified(PoolId p, IpAddress a, RuntimeException why) {
          heard.add("unverified " + a + ": " + why.getMessage());
        }
      };

  Ipam recovery(DockerView docker, StaleHoldRecovery.Release release, Duration age) {
    return IpamChain.of(
        engine,
        List.of(
            new StaleHoldRecovery(
                release,
                docker,
                Clock.fixed(t0.plus(age), ZoneOffset.UTC),
                Duration.ofMinutes(1),
                listener)));
  }

  static Optional<DockerState> docker(Set<IpAddress> endpoints) {
    return Optional.of(
        new DockerState(
            List.of(
                new DockerNetwork(
                    "n",
                    "n",
                    List.of(POOL),
                    Set.of(IpAddress.parse("10.7.0.1")),
                    Set.of(),
                    endpoints))));
  }

  @Test
  void anOldHoldNothingUsesIsReleasedAndTheRequestSucceeds() {
    List<IpAddress> released = new ArrayList<>();
    StaleHoldRecovery.Release counting =
        (h, p, a, since) -> {
          released.add(a);
          return engine.releaseAddressIfUnchanged(h, p, a, since);
        };
    assertThat(
            recovery(() -> docker(Set.of()), counting, Duration.ofMinutes(5))
                .requestAddress(again)
                .address())
        .isEqualTo(X);
    assertThat(released).containsExactly(X);
    assertThat(heard).containsExactly("released 10.7.0.200 held since " + t0.toEpochMilli());
  }

  @Test
  void aLiveUseAYoungHoldOrAnUnreachableDockerKeepTheRefusal() {
    StaleHoldRecovery.Release never =
        (h, p, a, since) -> {
          throw new AssertionError("must not release");
        };
    assertThatThrownBy(
            () ->
                recovery(() -> docker(Set.of(X)), never, Duration.ofMinutes(5))
                    .requestAddress(again))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("already in use by host h1");
    assertThatThrownBy(
            () ->
                recovery(() -> docker(Set.of()), never, Duration.ofSeconds(10))
                    .requestAddress(again))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(
            () -> recovery(Optional::empty, never, Duration.ofMinutes(5)).requestAddress(again))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(
            () ->
                recovery(
                        () -> {
                          throw new IllegalStateException("docker down");
                        },
                        never,
                        Duration.ofMinutes(5))
                    .requestAddress(again))
        .isInstanceOf(ConflictException.class);
    assertThat(heard).containsExactly("unverified 10.7.0.200: docker down");
  }

  @Test
  void gatewaysOtherCallsAndAnswersPassThroughUntouched() {
    StaleHoldRecovery.Release never =
        (h, p, a, since) -> {
          throw new AssertionError("must not release");
        };
    DockerView unasked =
        () -> {
          throw new AssertionError(
              "Docker is asked only after a conflict with the host's own hold");
        };
    Ipam ipam = recovery(unasked, never, Duration.ofMinutes(5));
    assertThat(ipam.addressSpaces()).isEqualTo(engine.addressSpaces());
    assertThat(
            ipam.requestAddress(
                    new AddressRequest(H1, pool, Optional.empty(), AddressKind.GATEWAY, Map.of()))
                .address())
        .isEqualTo(IpAddress.parse("10.7.0.1"));
    assertThat(
            ipam.requestAddress(
                    new AddressRequest(H1, pool, Optional.of(X), AddressKind.GATEWAY, Map.of()))
                .address())
        .as("a gateway is shared, never a conflict")
        .isEqualTo(X);
    ipam.releaseAddress(H1, pool, IpAddress.parse("10.7.0.1"));
    ipam.releasePool(H1, pool);
    assertThat(heard).isEmpty();
  }

  @Test
  void aHoldThatChangedMeanwhileIsNotTouched() {
    StaleHoldRecovery.Release changed = (h, p, a, since) -> false;
    assertThatThrownBy(
            () ->
                recovery(() -> docker(Set.of()), changed, Duration.ofMinutes(5))
                    .requestAddress(again))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void conflictsWithOtherHoldersAreNotRecovered() {
    HostId h2 = new HostId("h2");
    PoolId p2 =
        engine
            .requestPool(
                new PoolRequest(
                    h2, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), Map.of(), false))
            .id();
    StaleHoldRecovery.Release never =
        (h, p, a, since) -> {
          throw new AssertionError("must not release");
        };
    AddressRequest other =
        new AddressRequest(h2, p2, Optional.of(X), AddressKind.ENDPOINT, Map.of());
    assertThatThrownBy(
            () ->
                recovery(() -> docker(Set.of()), never, Duration.ofMinutes(5))
                    .requestAddress(other))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("by host h1");
  }
}
