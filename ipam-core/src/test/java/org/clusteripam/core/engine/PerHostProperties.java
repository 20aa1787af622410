package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.RerunningStateStore;

/**
 * Random mixes of swarm's manager allocating and releasing placeholders and three nodes mapping,
 * replaying and releasing them (and leaving and re-joining the pool), against a model: placeholders
 * stay in the placeholder range, host addresses never enter it, no address is held twice, and the
 * stored mappings are exactly the model's, each backed by a placeholder swarm holds and an address
 * its host holds.
 */
class PerHostProperties {
  static final IpPrefix POOL = IpPrefix.parse("10.9.0.0/26");
  // the default: the top block of four
  static final IpPrefix RANGE = IpPrefix.parse("10.9.0.48/28");
  static final HostId MANAGER = new HostId("m");

  /** One step; every step first makes sure host {@code h<host>} has joined the pool. */
  sealed interface Op {
    int host();
  }

  /** The manager allocates a placeholder in the global space. */
  record ManagerAllocates(int host) implements Op {}

  /** The manager releases one of its placeholders (the {@code pick}-th). */
  record ManagerReleases(int host, int pick) implements Op {}

  /**
   * The host asks for one of the placeholders and gets an address of its own, the mapping stored.
   */
  record HostAsksForPlaceholder(int host, int pick) implements Op {}

  /** The host releases one of its actual addresses. */
  record HostReleases(int host, int pick) implements Op {}

  /** The host leaves the pool. */
  record HostLeaves(int host) implements Op {}

  /** A dynamic container address on the host, which must also stay out of the range. */
  record HostAllocates(int host) implements Op {}

  record Mapped(String host, IpAddress actual) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> host = Arbitraries.integers().between(0, 2);
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 50);
    return Arbitraries.<Op>frequencyOf(
            Tuple.of(2, host.map(ManagerAllocates::new)),
            Tuple.of(1, Combinators.combine(host, pick).as(ManagerReleases::new)),
            Tuple.of(3, Combinators.combine(host, pick).as(HostAsksForPlaceholder::new)),
            Tuple.of(2, Combinators.combine(host, pick).as(HostReleases::new)),
            Tuple.of(1, host.map(HostLeaves::new)),
            Tuple.of(1, host.map(HostAllocates::new)))
        .list()
        .ofMaxSize(80);
  }

  @Property(tries = 80)
  void mappingsFollowTheModel(@ForAll("ops") List<Op> ops) {
    IpamConfig c = IpamConfig.builder().blockLength(IpFamily.IPV4, 28).build();
    ClusterIpam ipam =
        new ClusterIpam(new RerunningStateStore(new InMemoryStateStore()), c, Clock.systemUTC());
    Map<String, String> perHost = Map.of("addressing", "per-host");
    PoolId g =
        ipam.requestPool(
                new PoolRequest(
                    MANAGER,
                    "ClusterIpamGlobal",
                    Optional.of(POOL),
                    Optional.empty(),
                    perHost,
                    false))
            .id();
    PoolId[] local = new PoolId[3];
    List<IpAddress> placeholders = new ArrayList<>();
    Map<IpAddress, Mapped> mappings = new HashMap<>();
    Map<String, Set<IpAddress>> actuals = new HashMap<>();
    for (Op op : ops) {
      String h = "h" + op.host();
      HostId host = new HostId(h);
      if (local[op.host()] == null) {
        local[op.host()] =
            ipam.requestPool(
                    new PoolRequest(
                        host,
                        "ClusterIpamLocal",
                        Optional.of(POOL),
                        Optional.empty(),
                        perHost,
                        false))
                .id();
      }
      PoolId l = local[op.host()];
      Set<IpAddress> mine = actuals.computeIfAbsent(h, k -> new HashSet<>());
      if (op instanceof ManagerAllocates) {
        try {
          placeholders.add(
              ipam.requestAddress(
                      new AddressRequest(
                          MANAGER, g, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
                  .address());
        } catch (ExhaustedException e) {
          assertThat(e.level()).isEqualTo(ExhaustedException.Level.PLACEHOLDERS);
          assertThat(placeholders).hasSize(15);
        }
      } else if (op instanceof ManagerReleases r) {
        if (!placeholders.isEmpty()) {
          IpAddress p = placeholders.remove(r.pick() % placeholders.size());
          ipam.releaseAddress(MANAGER, g, p);
          mappings.remove(p);
        }
      } else if (op instanceof HostAsksForPlaceholder r) {
        if (!placeholders.isEmpty()) {
          IpAddress p = placeholders.get(r.pick() % placeholders.size());
          Mapped before = mappings.get(p);
          try {
            IpAddress a =
                ipam.requestAddress(
                        new AddressRequest(host, l, Optional.of(p), AddressKind.ENDPOINT, Map.of()))
                    .address();
            if (before != null && before.host().equals(h)) {
              assertThat(a).as("a replay of %s on %s", p, h).isEqualTo(before.actual());
            }
            mine.add(a);
            mappings.put(p, new Mapped(h, a));
          } catch (ExhaustedException e) {
            assertThat(e.level()).isEqualTo(ExhaustedException.Level.POOL);
          }
        }
      } else if (op instanceof HostReleases r) {
        if (!mine.isEmpty()) {
          IpAddress a = mine.stream().sorted().toList().get(r.pick() % mine.size());
          ipam.releaseAddress(host, l, a);
          mine.remove(a);
          mappings.values().removeIf(m -> m.host().equals(h) && m.actual().equals(a));
        }
      } else if (op instanceof HostLeaves) {
        ipam.releasePool(host, l);
        local[op.host()] = null;
        mine.clear();
        mappings.values().removeIf(m -> m.host().equals(h));
      } else if (op instanceof HostAllocates) {
        // a dynamic container address on the node, which must also stay out of the range
        try {
          mine.add(
              ipam.requestAddress(
                      new AddressRequest(host, l, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                  .address());
        } catch (ExhaustedException e) {
          assertThat(e.level()).isEqualTo(ExhaustedException.Level.POOL);
        }
      } else {
        throw new AssertionError("unknown step " + op);
      }
      check(ipam, placeholders, mappings, actuals);
    }
  }

  private static void check(
      ClusterIpam ipam,
      List<IpAddress> placeholders,
      Map<IpAddress, Mapped> mappings,
      Map<String, Set<IpAddress>> actuals) {
    Map<IpAddress, Set<String>> held = new HashMap<>();
    ipam.queries()
        .snapshot()
        .allPools()
        .forEach(
            p ->
                p.blocks()
                    .forEach(
                        b ->
                            b.addresses()
                                .forEach(
                                    a ->
                                        held.put(
                                            a.address(),
                                            a.holders().stream()
                                                .map(Holder::format)
                                                .collect(Collectors.toSet())))));
    Map<IpAddress, Set<String>> expected = new HashMap<>();
    placeholders.forEach(p -> expected.put(p, Set.of("@global")));
    actuals.forEach((h, as) -> as.forEach(a -> expected.put(a, Set.of(h))));
    assertThat(held).as("every address and its holders").isEqualTo(expected);
    held.forEach(
        (a, hs) ->
            assertThat(RANGE.contains(a))
                .as("%s held by %s", a, hs)
                .isEqualTo(hs.contains("@global")));
    Map<IpAddress, Mapped> stored = new HashMap<>();
    for (PlaceholderMapping m : ipam.placeholderMappings(POOL)) {
      stored.put(m.placeholder(), new Mapped(m.host().value(), m.actual()));
    }
    assertThat(stored).as("stored mappings").isEqualTo(mappings);
  }
}
