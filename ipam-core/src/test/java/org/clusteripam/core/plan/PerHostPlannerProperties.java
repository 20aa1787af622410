package org.clusteripam.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;

/** The planner's per-host arithmetic against what the engine really hands out. */
class PerHostPlannerProperties {

  @Property(tries = 25)
  void placeholdersAndHostAddressesAreWhatTheEngineHandsOut(
      @ForAll @IntRange(min = 22, max = 26) int network,
      @ForAll @IntRange(min = 1, max = 3) int blockBits,
      @ForAll @IntRange(min = 1, max = 3) int rangeBits) {
    int host = Math.min(network + blockBits, 28);
    int range = Math.min(network + rangeBits, host);
    IpPrefix pool = IpPrefix.parse("10.9.0.0/" + network);
    PerHostPlan plan =
        PerHostPlanner.plan(
            new PerHostInput(
                new CapacityInput(IpPrefix.parse("10.0.0.0/8"), network, host, 0), range, 0));

    HostId manager = new HostId("m");
    DriverIpam ipam =
        IpamEngine.open(
                new InMemoryStateStore(),
                IpamConfig.builder().blockLength(IpFamily.IPV4, host).build(),
                Clock.systemUTC())
            .driver();
    IpPrefix top = pool.subPrefix(range, (1L << (range - network)) - 1);
    Map<String, String> opts = Map.of("addressing", "per-host", "placeholders", top.toString());
    PoolId g =
        ipam.requestPool(
                new PoolRequest(
                    manager, "ClusterIpamGlobal", Optional.of(pool), Optional.empty(), opts, false))
            .id();
    PoolId l =
        ipam.requestPool(
                new PoolRequest(
                    new HostId("h1"),
                    "ClusterIpamLocal",
                    Optional.of(pool),
                    Optional.empty(),
                    opts,
                    false))
            .id();

    assertThat(
            BigInteger.valueOf(
                fill(
                    ipam,
                    new AddressRequest(
                        manager, g, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))))
        .as("placeholders")
        .isEqualTo(plan.placeholders());
    assertThat(
            BigInteger.valueOf(
                fill(
                    ipam,
                    new AddressRequest(
                        new HostId("h1"), l, Optional.empty(), AddressKind.ENDPOINT, Map.of()))))
        .as("host addresses")
        .isEqualTo(plan.hostAddresses());
  }

  private static long fill(DriverIpam ipam, AddressRequest r) {
    long n = 0;
    while (true) {
      try {
        ipam.requestAddress(r);
        n++;
      } catch (ExhaustedException e) {
        return n;
      }
    }
  }
}
