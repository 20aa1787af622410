package org.clusteripam.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class TenantParityPolicyTest {
  @Test
  void evenAndOddTenantsInterleaveInATwentyNine() {
    IpPrefix p = IpPrefix.parse("10.1.0.0/29");
    BlockAllocator b = new BlockAllocator(p, p, Optional.empty(), 0);
    assertThat(b.allocate(TenantParityPolicy.EVEN, 0)).contains(IpAddress.parse("10.1.0.2")); // .0 is the network
    assertThat(b.allocate(TenantParityPolicy.ODD, 0)).contains(IpAddress.parse("10.1.0.1"));
    assertThat(b.allocate(TenantParityPolicy.ODD, 0)).contains(IpAddress.parse("10.1.0.3"));
    assertThat(b.allocate(TenantParityPolicy.ODD, 0)).contains(IpAddress.parse("10.1.0.5"));
    assertThat(b.allocate(TenantParityPolicy.ODD, 0)).isEmpty(); // .7 is the broadcast
    assertThat(b.allocate(TenantParityPolicy.EVEN, 0)).contains(IpAddress.parse("10.1.0.4"));
    assertThat(b.allocate(TenantParityPolicy.EVEN, 0)).contains(IpAddress.parse("10.1.0.6"));
    assertThat(b.allocate(TenantParityPolicy.EVEN, 0)).isEmpty();
  }
}
