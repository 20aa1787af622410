package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.alloc.AddressPolicy;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.Test;

/**
 * A custom {@link AddressPolicy} selected in {@link IpamConfig} drives the engine's dynamic picks.
 */
class DynamicPolicyTest {
  static final HostId H1 = new HostId("h1");
  static final IpPrefix POOL = IpPrefix.parse("10.5.0.0/26");

  /** Only odd offsets of a block, lowest first. */
  static final AddressPolicy ODD =
      c -> {
        long from = c.first();
        while (true) {
          long f = c.nextFree(from, c.last());
          if (f == -1 || (f & 1) == 1) {
            return f;
          }
          if (f == c.last()) {
            return -1;
          }
          from = f + 1;
        }
      };

  @Test
  void dynamicPicksFollowTheConfiguredPolicyAndSerialRequestsStaySerial() {
    ClusterIpam ipam =
        new ClusterIpam(
            new InMemoryStateStore(),
            IpamConfig.builder().blockLength(IpFamily.IPV4, 26).dynamicPolicy(ODD).build(),
            Clock.systemUTC());
    PoolId id =
        ipam.requestPool(
                new PoolRequest(
                    H1, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), Map.of(), false))
            .id();
    List<IpAddress> got = new ArrayList<>();
    while (true) {
      try {
        got.add(
            ipam.requestAddress(
                    new AddressRequest(H1, id, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                .address());
      } catch (ExhaustedException e) {
        break;
      }
    }
    assertThat(got)
        .hasSize(31) // .1 .3 ... .61 (.63 is the broadcast address)
        .allMatch(a -> POOL.offsetOf(a) % 2 == 1);
    IpAddress serial =
        ipam.requestAddress(
                new AddressRequest(H1, id, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    assertThat(POOL.offsetOf(serial) % 2)
        .as("a serial request is Docker's contract, not the policy's")
        .isZero();
  }

  @Test
  void serialCannotBeTheDynamicPolicy() {
    assertThatThrownBy(
            () -> IpamConfig.builder().dynamicPolicy(StandardAddressPolicy.SERIAL).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("serial");
  }
}
