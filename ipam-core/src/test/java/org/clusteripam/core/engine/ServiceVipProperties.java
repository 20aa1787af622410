package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.ipam.ServiceVip;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.EngineSpec;

/**
 * Random mixes of VIP requests and releases, container allocations and releases and ReleasePool on
 * three hosts sharing a small pool, against a model: one VIP per (service, host), replays return
 * it, VIPs lie in blocks their host owns and never collide with anything, releases free them.
 */
class ServiceVipProperties {
  static final IpPrefix POOL = IpPrefix.parse("10.9.0.0/26");
  static final IpPrefix POOL_V6 = IpPrefix.parse("fd00:9::/122");

  /** One step, by host {@code h<host>}. */
  sealed interface Op {
    int host();
  }

  /** Asks for the VIP of service {@code s<service>} on the host (a replay when it has one). */
  record RequestVip(int host, int service) implements Op {}

  record ReleaseVip(int host, int service) implements Op {}

  /** A dynamic container address on the host. */
  record AllocateContainer(int host) implements Op {}

  /** Releases one of the host's container addresses, if it has any. */
  record ReleaseContainer(int host) implements Op {}

  /** The host leaves the pool: its VIPs and containers go. */
  record ReleasePool(int host) implements Op {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> host = Arbitraries.integers().between(0, 2);
    Arbitrary<Integer> service = Arbitraries.integers().between(0, 5);
    return Arbitraries.<Op>frequencyOf(
            Tuple.of(4, Combinators.combine(host, service).as(RequestVip::new)),
            Tuple.of(1, Combinators.combine(host, service).as(ReleaseVip::new)),
            Tuple.of(2, host.map(AllocateContainer::new)),
            Tuple.of(2, host.map(ReleaseContainer::new)),
            Tuple.of(1, host.map(ReleasePool::new)))
        .list()
        .ofMaxSize(60);
  }

  @Provide
  Arbitrary<EngineSpec> specs() {
    return EngineSpec.any();
  }

  /** One configuration of the matrix per try (addressing mode, family, strict affinity, store). */
  @Property(tries = 60)
  void vipsFollowTheModel(@ForAll("ops") List<Op> ops, @ForAll("specs") EngineSpec spec) {
    IpPrefix pool = spec.pick(POOL, POOL_V6);
    // 4 blocks of 16 in either family
    IpamConfig c =
        IpamConfig.builder()
            .blockLength(IpFamily.IPV4, 28)
            .blockLength(IpFamily.IPV6, 124)
            .strictAffinity(spec.strict())
            .build();
    ClusterIpam ipam = new ClusterIpam(spec.open(new InMemoryStateStore()), c, Clock.systemUTC());
    PoolId id = null;
    Map<String, IpAddress> vips = new HashMap<>(); // "host/service" -> VIP
    Map<IpAddress, String> containers = new HashMap<>();
    Set<Integer> joined = new HashSet<>();
    for (Op op : ops) {
      HostId h = new HostId("h" + op.host());
      if (joined.add(op.host())) {
        id =
            ipam.requestPool(
                    new PoolRequest(
                        h,
                        "ClusterIpamLocal",
                        Optional.of(pool),
                        Optional.empty(),
                        spec.poolOptions(),
                        false))
                .id();
      }
      if (op instanceof RequestVip r) {
        String key = h + "/s" + r.service();
        try {
          ServiceVip v = ipam.requestServiceVip(h, id, "s" + r.service());
          IpAddress before = vips.putIfAbsent(key, v.address());
          assertThat(v.address()).isEqualTo(before == null ? v.address() : before);
        } catch (ExhaustedException e) {
          assertThat(vips).doesNotContainKey(key); // a replay never runs out
        }
      } else if (op instanceof ReleaseVip r) {
        ipam.releaseServiceVip(h, id, "s" + r.service());
        vips.remove(h + "/s" + r.service());
      } else if (op instanceof AllocateContainer) {
        try {
          IpAddress a =
              ipam.requestAddress(
                      new AddressRequest(h, id, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                  .address();
          assertThat(containers.put(a, h.value())).isNull();
        } catch (ExhaustedException e) {
          // full: fine, checked by the engine's own properties
        }
      } else if (op instanceof ReleaseContainer) {
        Optional<IpAddress> mine =
            containers.entrySet().stream()
                .filter(e -> e.getValue().equals(h.value()))
                .map(Map.Entry::getKey)
                .findFirst();
        if (mine.isPresent()) {
          ipam.releaseAddress(h, id, mine.get());
          containers.remove(mine.get());
        }
      } else if (op instanceof ReleasePool) {
        ipam.releasePool(h, id);
        joined.remove(op.host());
        vips.keySet().removeIf(k -> k.startsWith(h + "/"));
        containers.values().removeIf(v -> v.equals(h.value()));
      } else {
        throw new AssertionError("unknown step " + op);
      }
      check(ipam, vips, containers);
    }
  }

  private static void check(
      ClusterIpam ipam, Map<String, IpAddress> vips, Map<IpAddress, String> containers) {
    Map<String, IpAddress> seen = new HashMap<>();
    Set<IpAddress> all = new HashSet<>();
    for (IpamQueries.PoolView p : ipam.queries().snapshot().allPools()) {
      for (IpamQueries.BlockView b : p.blocks()) {
        for (IpamQueries.AddressView a : b.addresses()) {
          assertThat(all.add(a.address())).isTrue();
          if (a.vipService().isPresent()) {
            assertThat(b.owner().map(Holder::format))
                .as("VIP %s in a block of its host", a.address())
                .contains(a.vipHost().orElseThrow());
            assertThat(a.holders()).hasSize(1);
            seen.put(a.vipHost().get() + "/" + a.vipService().get(), a.address());
          } else {
            assertThat(containers).containsKey(a.address());
          }
        }
      }
    }
    assertThat(seen).isEqualTo(vips);
    assertThat(all).containsAll(containers.keySet());
  }
}
