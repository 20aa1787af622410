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
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.ipam.ServiceVip;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.RerunningStateStore;

/**
 * Random mixes of VIP requests and releases, container allocations and releases and ReleasePool on
 * three hosts sharing a small pool, against a model: one VIP per (service, host), replays return
 * it, VIPs lie in blocks their host owns and never collide with anything, releases free them.
 */
class ServiceVipProperties {
  static final IpPrefix POOL = IpPrefix.parse("10.9.0.0/26");

  record Op(int kind, int host, int service) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 5))
        .as(Op::new).list().ofMaxSize(60);
  }

  @Property(tries = 60)
  void vipsFollowTheModel(@ForAll("ops") List<Op> ops) {
    IpamConfig c = IpamConfig.builder().blockLengthV4(28).build(); // 4 blocks of 16
    ClusterIpam ipam = new ClusterIpam(new RerunningStateStore(new InMemoryStateStore()), c, Clock.systemUTC());
    PoolId id = null;
    Map<String, IpAddress> vips = new HashMap<>(); // "host/service" -> VIP
    Map<IpAddress, String> containers = new HashMap<>();
    Set<Integer> joined = new HashSet<>();
    for (Op op : ops) {
      HostId h = new HostId("h" + op.host());
      if (joined.add(op.host())) {
        id = ipam.requestPool(new PoolRequest(h, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), Map.of(), false)).id();
      }
      String key = h + "/s" + op.service();
      switch (op.kind()) {
        case 0, 1, 2, 3 -> {
          try {
            ServiceVip v = ipam.requestServiceVip(h, id, "s" + op.service());
            IpAddress before = vips.putIfAbsent(key, v.address());
            assertThat(v.address()).isEqualTo(before == null ? v.address() : before);
          } catch (ExhaustedException e) {
            assertThat(vips).doesNotContainKey(key); // a replay never runs out
          }
        }
        case 4 -> {
          ipam.releaseServiceVip(h, id, "s" + op.service());
          vips.remove(key);
        }
        case 5, 6 -> {
          try {
            IpAddress a = ipam.requestAddress(new AddressRequest(h, id, Optional.empty(), AddressKind.ENDPOINT, Map.of())).address();
            assertThat(containers.put(a, h.value())).isNull();
          } catch (ExhaustedException e) {
            // full: fine, checked by the engine's own properties
          }
        }
        case 7, 8 -> {
          Optional<IpAddress> mine = containers.entrySet().stream().filter(e -> e.getValue().equals(h.value())).map(Map.Entry::getKey).findFirst();
          if (mine.isPresent()) {
            ipam.releaseAddress(h, id, mine.get());
            containers.remove(mine.get());
          }
        }
        default -> {
          ipam.releasePool(h, id);
          joined.remove(op.host());
          vips.keySet().removeIf(k -> k.startsWith(h + "/"));
          containers.values().removeIf(v -> v.equals(h.value()));
        }
      }
      check(ipam, vips, containers);
    }
  }

  private static void check(ClusterIpam ipam, Map<String, IpAddress> vips, Map<IpAddress, String> containers) {
    Map<String, IpAddress> seen = new HashMap<>();
    Set<IpAddress> all = new HashSet<>();
    for (IpamQueries.PoolView p : ipam.queries().snapshot().allPools()) {
      for (IpamQueries.BlockView b : p.blocks()) {
        for (IpamQueries.AddressView a : b.addresses()) {
          assertThat(all.add(a.address())).isTrue();
          if (a.vipService().isPresent()) {
            assertThat(b.owner()).as("VIP %s in a block of its host", a.address()).isEqualTo(a.vipHost().orElseThrow());
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
