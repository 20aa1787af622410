package org.clusteripam.core.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

class RoutePlannerProperties {
  static final List<String> OWNERS = List.of("", "@global", "h1", "h2", "h3", "h4");
  static final HostId H1 = new HostId("h1");

  record Input(List<RoutePlanner.PoolBlocks> pools, Map<HostId, IpAddress> advertised) {}

  @Provide
  Arbitrary<Input> inputs() {
    Arbitrary<List<RoutePlanner.PoolBlocks>> pools =
        Arbitraries.integers()
            .between(0, 3)
            .set()
            .ofMaxSize(3)
            .flatMap(
                poolIdx ->
                    Combinators.combine(poolIdx.stream().map(this::pool).toList())
                        .as(ArrayList::new));
    Arbitrary<Map<HostId, IpAddress>> advertised =
        Arbitraries.maps(
                Arbitraries.of("h1", "h2", "h3", "h4").map(HostId::new),
                Arbitraries.of("192.168.0.2", "192.168.0.3", "fd00::3", "10.60.1.9")
                    .map(IpAddress::parse))
            .ofMaxSize(4);
    return Combinators.combine(pools, advertised).as(Input::new);
  }

  private Arbitrary<RoutePlanner.PoolBlocks> pool(int index) {
    IpPrefix pool = IpPrefix.parse("10.6" + index + ".0.0/16");
    return Arbitraries.of(OWNERS)
        .list()
        .ofMinSize(0)
        .ofMaxSize(8)
        .map(
            owners -> {
              TreeMap<IpPrefix, Holder> blocks = new TreeMap<>();
              for (int i = 0; i < owners.size(); i++) {
                if (!owners.get(i).isEmpty()) { // a block without an owner has no affinity key
                  blocks.put(pool.subPrefix(24, i), Holder.parse(owners.get(i)));
                }
              }
              return new RoutePlanner.PoolBlocks(pool, blocks);
            });
  }

  @Property(tries = 500)
  void everyOtherHostsBlockIsRoutedViaItsAddressOrSaysWhyNot(@ForAll("inputs") Input in) {
    RoutePlan plan = RoutePlanner.plan(H1, in.pools(), in.advertised());
    Set<IpPrefix> routed = new HashSet<>();
    for (BlockRoute r : plan.routes()) {
      assertThat(routed.add(r.block())).as("one route per block").isTrue();
      assertThat(r.owner()).isNotEqualTo(H1);
      assertThat(r.via()).isEqualTo(in.advertised().get(r.owner()));
      assertThat(r.via().family()).isEqualTo(r.block().family());
      assertThat(in.pools()).noneMatch(p -> p.pool().contains(r.via()));
      assertThat(owner(in, r.block())).isEqualTo(r.owner().value());
    }
    Set<IpPrefix> unrouted = new HashSet<>();
    plan.unrouted().forEach(u -> unrouted.add(u.block()));
    assertThat(Collections.disjoint(routed, unrouted)).isTrue();
    for (RoutePlanner.PoolBlocks p : in.pools()) {
      p.owners()
          .forEach(
              (block, owner) -> {
                boolean other = owner.isHost() && !owner.format().equals("h1");
                assertThat(routed.contains(block) || unrouted.contains(block))
                    .as("block %s of %s is accounted for", block, owner)
                    .isEqualTo(other);
              });
    }
  }

  @Property(tries = 200)
  void theSameStateInAnyOrderPlansEqually(@ForAll("inputs") Input in, @ForAll long seed) {
    List<RoutePlanner.PoolBlocks> shuffled = new ArrayList<>(in.pools());
    Collections.shuffle(shuffled, new Random(seed));
    assertThat(RoutePlanner.plan(H1, shuffled, new HashMap<>(in.advertised())))
        .isEqualTo(RoutePlanner.plan(H1, in.pools(), in.advertised()));
  }

  @Example
  void aHostAdvertisingFromInsideAPoolIsNotRouted() {
    IpPrefix pool = IpPrefix.parse("10.60.0.0/16");
    RoutePlanner.PoolBlocks blocks =
        new RoutePlanner.PoolBlocks(
            pool,
            new TreeMap<>(
                Map.of(
                    IpPrefix.parse("10.60.0.0/24"),
                    Holder.of("h2"),
                    IpPrefix.parse("10.60.1.0/24"),
                    Holder.of("h3"),
                    IpPrefix.parse("10.60.2.0/24"),
                    Holder.of("h1"))));
    RoutePlan plan =
        RoutePlanner.plan(
            H1,
            List.of(blocks),
            Map.of(
                new HostId("h2"),
                IpAddress.parse("192.168.0.2"),
                new HostId("h3"),
                IpAddress.parse("10.60.1.9")));
    assertThat(plan.routes())
        .containsExactly(
            new BlockRoute(
                pool,
                IpPrefix.parse("10.60.0.0/24"),
                new HostId("h2"),
                IpAddress.parse("192.168.0.2")));
    assertThat(plan.unrouted())
        .singleElement()
        .satisfies(u -> assertThat(u.reason()).contains("inside a per-host pool"));
  }

  private static String owner(Input in, IpPrefix block) {
    return in.pools().stream()
        .filter(p -> p.owners().containsKey(block))
        .findFirst()
        .orElseThrow()
        .owners()
        .get(block)
        .format();
  }
}
