package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.clusteripam.core.engine.ClusterIpamTest.H1;
import static org.clusteripam.core.engine.ClusterIpamTest.local;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * {@code --subnet 0.0.0.0/24} and {@code ::/64} (newer engines' "any /N") are refused and change
 * nothing.
 */
class UnspecifiedPoolTest {
  final InMemoryStateStore store = new InMemoryStateStore();
  final ClusterIpam ipam =
      new ClusterIpam(
          store, IpamConfig.defaults(), new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));

  @Test
  void anyV4AndV6PoolOfALengthIsRefusedWithTheWayToADynamicPool() {
    long rev = store.revision();
    assertThatThrownBy(() -> ipam.requestPool(local(H1, "0.0.0.0/24")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "pool 0.0.0.0/24 starts at the unspecified address and is not a subnet: leave the subnet out for a dynamic"
                + " pool (this driver carves /24 pools from 10.80.0.0/12), or give the subnet you mean");
    PoolRequest v6 =
        new PoolRequest(
            H1,
            "ClusterIpamLocal",
            Optional.of(IpPrefix.parse("::/64")),
            Optional.empty(),
            Map.of(),
            true);
    assertThatThrownBy(() -> ipam.requestPool(v6))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "pool ::/64 starts at the unspecified address and is not a subnet: leave the subnet out for a dynamic"
                + " pool (this driver carves /64 pools from fd80:cafe::/48), or give the subnet you mean");
    assertThat(store.revision()).isEqualTo(rev);
    // The pools right above are ordinary subnets.
    assertThat(ipam.requestPool(local(H1, "0.0.1.0/24")).pool())
        .isEqualTo(IpPrefix.parse("0.0.1.0/24"));
  }
}
