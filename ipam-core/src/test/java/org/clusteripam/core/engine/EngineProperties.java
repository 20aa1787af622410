package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.EngineSpec;

/** Engine-level rules over random pools, ip-ranges, gateways, aux addresses and hosts. */
class EngineProperties {

  @Provide
  Arbitrary<IpPrefix> pools() {
    return Arbitraries.of(
            "10.5.0.0/24",
            "10.5.0.0/25",
            "10.5.0.0/27",
            "10.5.0.0/30",
            "10.5.0.0/31",
            "fd00:6::/120",
            "fd00:6::/122")
        .map(IpPrefix::parse);
  }

  /**
   * Every case runs under each cluster-mode {@link EngineSpec} of the pool's family (strict
   * affinity, store): the same exhaustion in every configuration. Per-host pools are left out on
   * purpose: their local requests get only host blocks outside the placeholder range, a different
   * capacity that {@code EngineActionChainProperties} checks against its model.
   */
  @Property(tries = 20)
  void exhaustionHappensExactlyAtCapacityAndGatewayAndAuxAreNeverHandedOut(
      @ForAll("pools") IpPrefix pool,
      @ForAll @IntRange(min = 0, max = 3) int rangeShrink,
      @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 255) Integer> auxOffsets,
      @ForAll @IntRange(min = 1, max = 3) int hosts,
      @ForAll boolean serial) {
    for (EngineSpec spec : EngineSpec.all()) {
      if (spec.family() == pool.family() && spec.mode() == EngineSpec.Mode.CLUSTER) {
        try {
          exhaustion(spec, pool, rangeShrink, auxOffsets, hosts, serial);
        } catch (AssertionError | RuntimeException e) {
          throw new AssertionError("under " + spec + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private void exhaustion(
      EngineSpec spec,
      IpPrefix pool,
      int rangeShrink,
      List<Integer> auxOffsets,
      int hosts,
      boolean serial) {
    boolean strict = spec.strict();
    IpamConfig config =
        IpamConfig.builder()
            .blockLength(IpFamily.IPV4, 27)
            .blockLength(IpFamily.IPV6, 124)
            .strictAffinity(strict)
            .build();
    ClusterIpam ipam =
        new ClusterIpam(
            spec.open(new InMemoryStateStore()),
            config,
            Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    Optional<IpPrefix> range =
        rangeShrink == 0 || pool.hostBits() <= rangeShrink
            ? Optional.empty()
            : Optional.of(IpPrefix.containing(pool.last(), pool.length() + rangeShrink));
    PoolGrant g = null;
    for (int h = 0; h < hosts; h++) {
      g =
          ipam.requestPool(
              new PoolRequest(
                  new HostId("h" + h),
                  "ClusterIpamLocal",
                  Optional.of(pool),
                  range,
                  spec.poolOptions(),
                  false));
    }
    PoolGrant grant = g;
    Set<IpAddress> taken = new HashSet<>();
    IpAddress gw =
        ipam.requestAddress(
                new AddressRequest(
                    new HostId("h0"), g.id(), Optional.empty(), AddressKind.GATEWAY, Map.of()))
            .address();
    taken.add(gw);
    for (int o : auxOffsets) {
      IpAddress aux = pool.addressAt(o % pool.sizeAsLong());
      if (!BlockAllocator.isReserved(pool, aux) && taken.add(aux)) {
        assertThat(
                ipam.requestAddress(
                        new AddressRequest(
                            new HostId("h0"),
                            g.id(),
                            Optional.of(aux),
                            AddressKind.ENDPOINT,
                            Map.of()))
                    .address())
            .isEqualTo(aux);
      }
    }
    IpPrefix dynamicSpace = range.orElse(pool);
    long capacity = 0;
    for (long o = 0; o < dynamicSpace.sizeAsLong(); o++) {
      IpAddress a = dynamicSpace.addressAt(o);
      if (!BlockAllocator.isReserved(pool, a) && !taken.contains(a)) {
        capacity++;
      }
    }
    Set<IpAddress> dynamic = new HashSet<>();
    int h = 0;
    while (true) {
      HostId host = new HostId("h" + (h++ % hosts));
      AddressRequest r =
          new AddressRequest(
              host, g.id(), Optional.empty(), AddressKind.ENDPOINT, serial, Map.of());
      if (dynamic.size() == capacity) {
        assertThatThrownBy(() -> ipam.requestAddress(r))
            .isInstanceOfSatisfying(
                ExhaustedException.class,
                e -> {
                  if (!strict) {
                    assertThat(e.prefix()).isEqualTo(range.orElse(grant.pool()));
                    assertThat(e.level())
                        .isEqualTo(
                            range.isPresent()
                                ? ExhaustedException.Level.IP_RANGE
                                : ExhaustedException.Level.POOL);
                  }
                  assertThat(e.getMessage()).contains(e.prefix().toString());
                });
        break;
      }
      try {
        IpAddress a = ipam.requestAddress(r).address();
        assertThat(dynamicSpace.contains(a)).as("%s inside %s", a, dynamicSpace).isTrue();
        assertThat(taken).doesNotContain(a);
        assertThat(dynamic.add(a)).as("%s handed out twice", a).isTrue();
      } catch (ExhaustedException e) {
        // Strict affinity may leave a host without room while others still have some.
        assertThat(strict)
            .as("exhausted with %d of %d handed out: %s", dynamic.size(), capacity, e.getMessage())
            .isTrue();
        if (hosts == 1) {
          throw e;
        }
        boolean anyoneElse = false;
        for (int k = 0; k < hosts && !anyoneElse; k++) {
          try {
            IpAddress a =
                ipam.requestAddress(
                        new AddressRequest(
                            new HostId("h" + k),
                            g.id(),
                            Optional.empty(),
                            AddressKind.ENDPOINT,
                            serial,
                            Map.of()))
                    .address();
            assertThat(dynamic.add(a)).isTrue();
            anyoneElse = true;
          } catch (ExhaustedException again) {
            // try the next host
          }
        }
        if (!anyoneElse) {
          assertThat(dynamic.size()).isEqualTo(capacity);
          break;
        }
      }
    }
    // Release restores capacity: free everything and allocate it all again.
    for (IpAddress a : dynamic) {
      for (int k = 0; k < hosts; k++) {
        ipam.releaseAddress(new HostId("h" + k), g.id(), a);
      }
    }
    Set<IpAddress> again = new HashSet<>();
    for (int i = 0; i < capacity; i++) {
      try {
        again.add(
            ipam.requestAddress(
                    new AddressRequest(
                        new HostId("h" + (i % hosts)),
                        g.id(),
                        Optional.empty(),
                        AddressKind.ENDPOINT,
                        serial,
                        Map.of()))
                .address());
      } catch (ExhaustedException e) {
        assertThat(strict).isTrue();
      }
    }
    if (!strict) {
      assertThat(again).isEqualTo(dynamic);
    }
  }
}
