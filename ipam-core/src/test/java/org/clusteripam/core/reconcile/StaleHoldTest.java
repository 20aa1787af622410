package org.clusteripam.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class StaleHoldTest {
  static final IpPrefix POOL = IpPrefix.parse("10.5.0.0/24");
  static final IpAddress X = IpAddress.parse("10.5.0.50");
  static final Duration GRACE = Duration.ofSeconds(60);

  static DockerState docker(Set<IpAddress> endpoints, Set<IpAddress> aux) {
    return new DockerState(
        List.of(
            new DockerNetwork(
                "n1", "n1", List.of(POOL), Set.of(IpAddress.parse("10.5.0.1")), aux, endpoints)));
  }

  @Test
  void anOldHoldNobodyUsesIsStale() {
    assertThat(StaleHold.isStale(docker(Set.of(), Set.of()), X, 0, 61_000, GRACE)).isTrue();
  }

  @Test
  void aLiveEndpointOrAuxAddressIsNeverStale() {
    assertThat(StaleHold.isStale(docker(Set.of(X), Set.of()), X, 0, 1_000_000, GRACE)).isFalse();
    assertThat(StaleHold.isStale(docker(Set.of(), Set.of(X)), X, 0, 1_000_000, GRACE)).isFalse();
    assertThat(
            StaleHold.isStale(
                docker(Set.of(), Set.of()), IpAddress.parse("10.5.0.1"), 0, 1_000_000, GRACE))
        .as("the gateway")
        .isFalse();
  }

  @Test
  void aYoungHoldIsNotStaleEvenIfDockerDoesNotListItYet() {
    assertThat(StaleHold.isStale(docker(Set.of(), Set.of()), X, 0, 59_999, GRACE)).isFalse();
  }

  @Test
  void usesInOtherPoolsDoNotCount() {
    DockerState other =
        new DockerState(
            List.of(
                new DockerNetwork(
                    "n2",
                    "n2",
                    List.of(IpPrefix.parse("10.6.0.0/24")),
                    Set.of(),
                    Set.of(),
                    Set.of(IpAddress.parse("10.6.0.50")))));
    assertThat(StaleHold.isStale(other, X, 0, 61_000, GRACE)).isTrue();
  }
}
