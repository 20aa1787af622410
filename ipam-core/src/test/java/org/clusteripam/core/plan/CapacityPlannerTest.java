package org.clusteripam.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class CapacityPlannerTest {

  @Test
  void seedExampleGivesSixteenNetworksOfThirtyTwoHostsWithTwentyEightContainersEach() {
    CapacityPlan p =
        CapacityPlanner.plan(new CapacityInput(IpPrefix.parse("192.168.0.0/16"), 20, 25, 100));

    assertThat(p.networks()).isEqualTo(16);
    assertThat(p.addressesPerNetwork()).isEqualTo(4096);
    assertThat(p.hostsPerNetwork()).isEqualTo(32);
    assertThat(p.addressesPerHost()).isEqualTo(128);
    assertThat(p.serviceVipsPerHost()).isEqualTo(100);
    assertThat(p.containerAddressesPerHost()).isEqualTo(28);
    // First block loses the network address and the gateway, the last one the broadcast address.
    assertThat(p.minContainerAddressesPerHost()).isEqualTo(26);
    assertThat(p.containerAddressesPerNetwork()).isEqualTo(BigInteger.valueOf(28L * 30 + 26 + 27));
    assertThat(p.totalContainerAddresses())
        .isEqualTo(BigInteger.valueOf((28L * 30 + 26 + 27) * 16));
    assertThat(p.warnings()).isEmpty();
    assertThat(p.reservations())
        .extracting(Reservation::reason)
        .anyMatch(r -> r.contains("network address"))
        .anyMatch(r -> r.contains("broadcast"))
        .anyMatch(r -> r.contains("gateway"))
        .anyMatch(r -> r.contains("100 services"));
  }

  @Test
  void tooManyServicesForTheHostBlockIsAWarningThatSaysWhy() {
    CapacityPlan p =
        CapacityPlanner.plan(new CapacityInput(IpPrefix.parse("10.80.0.0/12"), 24, 26, 64));

    assertThat(p.fits()).isFalse();
    assertThat(p.containerAddressesPerHost()).isZero();
    assertThat(p.warnings()).singleElement().asString().contains("/26").contains("64 VIPs");
  }

  @Test
  void ipv6SizesBeyondALongAreExact() {
    CapacityPlan p = CapacityPlanner.plan(new CapacityInput(IpPrefix.parse("fd00::/8"), 48, 64, 0));

    assertThat(p.networks()).isEqualTo(BigInteger.ONE.shiftLeft(40));
    assertThat(p.addressesPerHost()).isEqualTo(BigInteger.ONE.shiftLeft(64));
    assertThat(p.totalContainerAddresses()).isGreaterThan(BigInteger.ONE.shiftLeft(100));
  }

  @Test
  void singleHostNetworkCountsAllReservationsInItsOnlyBlock() {
    CapacityPlan p =
        CapacityPlanner.plan(new CapacityInput(IpPrefix.parse("10.0.0.0/16"), 24, 24, 0));

    assertThat(p.hostsPerNetwork()).isEqualTo(1);
    assertThat(p.minContainerAddressesPerHost()).isEqualTo(253);
    assertThat(p.containerAddressesPerNetwork()).isEqualTo(253);
  }

  @Test
  void pointToPointNetworksHaveNoBroadcast() {
    CapacityPlan p =
        CapacityPlanner.plan(new CapacityInput(IpPrefix.parse("10.0.0.0/24"), 31, 31, 0));

    assertThat(p.containerAddressesPerNetwork()).isEqualTo(1); // two addresses, one is the gateway
  }

  @Test
  void prefixesOutOfOrderAreRejectedWithTheRule() {
    assertThatThrownBy(() -> new CapacityInput(IpPrefix.parse("10.0.0.0/16"), 12, 24, 0))
        .hasMessageContaining("network prefix /12")
        .hasMessageContaining("/16");
    assertThatThrownBy(() -> new CapacityInput(IpPrefix.parse("10.0.0.0/16"), 24, 20, 0))
        .hasMessageContaining("host prefix /20");
    assertThatThrownBy(() -> new CapacityInput(IpPrefix.parse("10.0.0.0/16"), 24, 26, -1))
        .hasMessageContaining("negative");
  }
}
