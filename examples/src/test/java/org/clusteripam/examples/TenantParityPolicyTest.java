package org.clusteripam.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class TenantParityPolicyTest {
  @Test
  void evenAndOddTenantsInterleaveInATwentyNine() {
    IpPrefix p = IpPrefix.parse("10.1.0.0/29");
    PolicyBlock b = new PolicyBlock(p, p, Optional.empty());
    // .0 is the network
    assertThat(b.allocate(TenantParityPolicy.EVEN)).contains(IpAddress.parse("10.1.0.2"));
    assertThat(b.allocate(TenantParityPolicy.ODD)).contains(IpAddress.parse("10.1.0.1"));
    assertThat(b.allocate(TenantParityPolicy.ODD)).contains(IpAddress.parse("10.1.0.3"));
    assertThat(b.allocate(TenantParityPolicy.ODD)).contains(IpAddress.parse("10.1.0.5"));
    assertThat(b.allocate(TenantParityPolicy.ODD)).isEmpty(); // .7 is the broadcast
    assertThat(b.allocate(TenantParityPolicy.EVEN)).contains(IpAddress.parse("10.1.0.4"));
    assertThat(b.allocate(TenantParityPolicy.EVEN)).contains(IpAddress.parse("10.1.0.6"));
    assertThat(b.allocate(TenantParityPolicy.EVEN)).isEmpty();
  }

  @Test
  void theWholeEngineUsesItWhenSelectedInTheConfiguration() {
    org.clusteripam.core.ipam.HostId h = new org.clusteripam.core.ipam.HostId("h1");
    org.clusteripam.core.engine.IpamEngine ipam =
        org.clusteripam.core.engine.IpamEngine.open(
            new org.clusteripam.core.store.InMemoryStateStore(),
            org.clusteripam.core.engine.IpamConfig.builder()
                .dynamicPolicy(TenantParityPolicy.EVEN)
                .build(),
            java.time.Clock.systemUTC());
    IpPrefix pool = IpPrefix.parse("10.2.0.0/24");
    org.clusteripam.core.ipam.PoolId id =
        ipam.driver()
            .requestPool(
                new org.clusteripam.core.ipam.PoolRequest(
                    h,
                    "ClusterIpamLocal",
                    Optional.of(pool),
                    Optional.empty(),
                    java.util.Map.of(),
                    false))
            .id();
    for (int i = 0; i < 10; i++) {
      IpAddress a =
          ipam.driver()
              .requestAddress(
                  new org.clusteripam.core.ipam.AddressRequest(
                      h,
                      id,
                      Optional.empty(),
                      org.clusteripam.core.ipam.AddressKind.ENDPOINT,
                      java.util.Map.of()))
              .address();
      assertThat(TenantParityPolicy.EVEN.owns(pool.offsetOf(a))).as("%s", a).isTrue();
    }
  }
}
