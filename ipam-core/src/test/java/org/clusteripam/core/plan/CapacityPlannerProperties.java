package org.clusteripam.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.clusteripam.core.net.IpPrefix;

class CapacityPlannerProperties {

  /** Every address of a network is either reserved (explained) or a container address. */
  @Property
  void everyAddressOfANetworkIsAccountedFor(
      @ForAll @IntRange(min = 8, max = 24) int supernetLength,
      @ForAll @IntRange(min = 0, max = 8) int networkExtra,
      @ForAll @IntRange(min = 0, max = 6) int hostExtra,
      @ForAll @IntRange(min = 0, max = 300) int services) {
    int networkPrefix = supernetLength + networkExtra;
    int hostPrefix = Math.min(32, networkPrefix + hostExtra);
    Assume.that(networkPrefix <= 30 && hostPrefix <= 30);
    IpPrefix supernet =
        IpPrefix.containing(org.clusteripam.core.net.IpAddress.parse("10.0.0.0"), supernetLength);
    CapacityPlan p =
        CapacityPlanner.plan(new CapacityInput(supernet, networkPrefix, hostPrefix, services));
    Assume.that(p.fits());

    BigInteger perNetworkReserved =
        p.reservations().stream()
            .filter(r -> r.scope().equals("per network"))
            .map(Reservation::count)
            .reduce(BigInteger.ZERO, BigInteger::add);
    BigInteger perHostReserved = p.serviceVipsPerHost().multiply(p.hostsPerNetwork());

    assertThat(p.containerAddressesPerNetwork().add(perNetworkReserved).add(perHostReserved))
        .isEqualTo(p.addressesPerNetwork());
    assertThat(p.hostsPerNetwork().multiply(p.addressesPerHost()))
        .isEqualTo(p.addressesPerNetwork());
    assertThat(p.networks().multiply(p.addressesPerNetwork())).isEqualTo(supernet.size());
    assertThat(p.minContainerAddressesPerHost()).isLessThanOrEqualTo(p.containerAddressesPerHost());
  }
}
