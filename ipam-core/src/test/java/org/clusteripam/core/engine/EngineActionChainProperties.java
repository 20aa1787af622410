package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;

/**
 * A stateful chain of actions (allocate, allocate exact, release, release unknown, give back empty
 * blocks, leave and rejoin the pool, replay the pool request, let the replay windows close) by three hosts on one small pool whose four blocks (of 8 addresses) force
 * claims, borrowing and exhaustion. After every step the store must equal a reference model
 * (address → holder) and the block structure must be sound.
 */
class EngineActionChainProperties {
  static final List<HostId> HOSTS = List.of(new HostId("h0"), new HostId("h1"), new HostId("h2"));

  /**
   * kind: 0 allocate, 1 allocate exact, 2 release own, 3 release unknown, 4 give back empty blocks, 5 rejoin,
   * 6 replay the pool request (opens the host's replay window), 7 time passes beyond every replay window.
   */
  record Action(int kind, int host, int n) {}

  @Provide
  Arbitrary<List<Action>> chains() {
    Arbitrary<Action> a = Combinators.combine(
            Arbitraries.frequency(net.jqwik.api.Tuple.of(12, 0), net.jqwik.api.Tuple.of(4, 1), net.jqwik.api.Tuple.of(4, 2),
                net.jqwik.api.Tuple.of(1, 3), net.jqwik.api.Tuple.of(1, 4), net.jqwik.api.Tuple.of(1, 5),
                net.jqwik.api.Tuple.of(3, 6), net.jqwik.api.Tuple.of(1, 7)),
            Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 63))
        .as(Action::new);
    return a.list().ofMinSize(40).ofMaxSize(120);
  }

  @Property(tries = 40)
  void ipv4ChainMatchesTheModel(@ForAll("chains") List<Action> chain, @ForAll boolean strict) {
    run(IpPrefix.parse("10.5.0.0/27"), chain, strict);
  }

  @Property(tries = 40)
  void ipv6ChainMatchesTheModel(@ForAll("chains") List<Action> chain, @ForAll boolean strict) {
    run(IpPrefix.parse("fd00::/123"), chain, strict);
  }

  private void run(IpPrefix pool, List<Action> chain, boolean strict) {
    IpamConfig config = IpamConfig.builder().blockLengthV4(29).blockLengthV6(125).strictAffinity(strict).build();
    InMemoryStateStore store = new InMemoryStateStore();
    // Every transaction runs twice (first with its writes discarded), as after optimistic conflicts.
    org.clusteripam.core.testing.MutableClock clock = new org.clusteripam.core.testing.MutableClock(Instant.EPOCH);
    ClusterIpam ipam = new ClusterIpam(new org.clusteripam.core.testing.RerunningStateStore(store), config, clock);
    java.util.Set<String> replaying = new java.util.HashSet<>(); // hosts whose replay window is open
    PoolId id = null;
    for (HostId h : HOSTS) {
      id = ipam.requestPool(new PoolRequest(h, "ClusterIpamLocal", Optional.of(pool), Optional.empty(), Map.of(), false)).id();
    }
    long usable = pool.sizeAsLong() - (pool.family().bits() == 32 ? 2 : 1);
    TreeMap<IpAddress, String> model = new TreeMap<>();
    for (Action act : chain) {
      String h = HOSTS.get(act.host()).value();
      HostId host = HOSTS.get(act.host());
      IpamQueries.PoolView before = view(ipam);
      switch (act.kind()) {
        case 0 -> {
          boolean mayHaveRoom = strict ? strictRoom(before, h) : model.size() < usable;
          if (mayHaveRoom) {
            IpAddress x = ipam.requestAddress(new AddressRequest(host, id, Optional.empty(), AddressKind.ENDPOINT, Map.of())).address();
            assertThat(model).doesNotContainKey(x);
            assertThat(pool.contains(x)).isTrue();
            assertThat(BlockAllocator.isReserved(pool, x)).isFalse();
            model.put(x, h);
            String owner = ownerOf(view(ipam), x);
            net.jqwik.api.statistics.Statistics.label("allocate").collect(owner.equals(h) ? "own block" : "borrowed");
            if (strict || !owner.equals(h)) {
              // Borrowing only happens when the host had nothing of its own and no block to claim.
              assertThat(owner.equals(h) || !strictRoom(before, h)).as("borrowed %s from %s while %s had room", x, owner, h).isTrue();
            }
          } else {
            net.jqwik.api.statistics.Statistics.label("allocate").collect(strict ? "exhausted (strict)" : "exhausted");
            PoolId pid = id;
            assertThatThrownBy(() -> ipam.requestAddress(new AddressRequest(host, pid, Optional.empty(), AddressKind.ENDPOINT, Map.of())))
                .isInstanceOfSatisfying(ExhaustedException.class, e -> {
                  assertThat(e.getMessage()).contains(pool.toString());
                  if (strict && before.blocks().stream().anyMatch(b -> b.owner().equals(h))) {
                    assertThat(e.level()).isEqualTo(ExhaustedException.Level.HOST_BLOCK);
                    assertThat(e.getMessage()).startsWith("no free address in host block");
                  } else {
                    assertThat(e.level()).isEqualTo(ExhaustedException.Level.POOL);
                    assertThat(e.prefix()).isEqualTo(pool);
                  }
                });
          }
        }
        case 1 -> {
          IpAddress x = pool.addressAt(act.n() % pool.sizeAsLong());
          AddressRequest r = new AddressRequest(host, id, Optional.of(x), AddressKind.ENDPOINT, Map.of());
          if (BlockAllocator.isReserved(pool, x)) {
            assertThatThrownBy(() -> ipam.requestAddress(r)).isInstanceOf(InvalidRequestException.class);
          } else if (model.containsKey(x) && !model.get(x).equals(h)) {
            assertThatThrownBy(() -> ipam.requestAddress(r)).isInstanceOf(ConflictException.class).hasMessageContaining("host " + model.get(x));
          } else if (model.containsKey(x) && !replaying.contains(h)) {
            // A second endpoint of the same host asking for its own address: refused, nothing written.
            long rev = store.revision();
            assertThatThrownBy(() -> ipam.requestAddress(r)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("by host " + h + " (another endpoint on this host has it)");
            assertThat(store.revision()).isEqualTo(rev);
            net.jqwik.api.statistics.Statistics.label("exact own").collect("refused");
          } else {
            if (model.containsKey(x)) {
              net.jqwik.api.statistics.Statistics.label("exact own").collect("replayed");
            }
            assertThat(ipam.requestAddress(r).address()).isEqualTo(x);
            model.put(x, h);
          }
        }
        case 2 -> {
          List<IpAddress> mine = new ArrayList<>();
          model.forEach((x, o) -> {
            if (o.equals(h)) {
              mine.add(x);
            }
          });
          if (!mine.isEmpty()) {
            IpAddress x = mine.get(act.n() % mine.size());
            ipam.releaseAddress(host, id, x);
            model.remove(x);
          }
        }
        case 3 -> {
          IpAddress x = pool.addressAt(act.n() % pool.sizeAsLong());
          long rev = store.revision();
          if (!h.equals(model.get(x))) {
            ipam.releaseAddress(host, id, x); // not ours: nothing changes
            assertThat(store.revision()).isEqualTo(rev);
          }
        }
        case 4 -> {
          ipam.releaseEmptyBlocks(host);
          assertThat(view(ipam).blocks()).noneMatch(b -> b.owner().equals(h) && b.addresses().isEmpty());
        }
        case 5 -> {
          ipam.releasePool(host, id);
          model.values().removeIf(h::equals);
          assertThat(view(ipam).blocks()).noneMatch(b -> b.owner().equals(h));
          PoolGrant g = ipam.requestPool(new PoolRequest(host, "ClusterIpamLocal", Optional.of(pool), Optional.empty(), Map.of(), false));
          assertThat(g.id()).isEqualTo(id);
          replaying.remove(h); // a rejoin is no replay
        }
        case 6 -> {
          PoolGrant g = ipam.requestPool(new PoolRequest(host, "ClusterIpamLocal", Optional.of(pool), Optional.empty(), Map.of(), false));
          assertThat(g.id()).isEqualTo(id);
          replaying.add(h);
        }
        case 7 -> {
          clock.advance(config.replayWindow().plusMillis(1));
          replaying.clear();
        }
      }
      checkAgainstModel(view(ipam), pool, model);
    }
  }

  private static IpamQueries.PoolView view(ClusterIpam ipam) {
    List<IpamQueries.PoolView> pools = ipam.queries().snapshot().allPools();
    assertThat(pools).hasSize(1);
    return pools.get(0);
  }

  /** Strict affinity: the host has a free address in its own blocks, or a block it could claim. */
  private static boolean strictRoom(IpamQueries.PoolView v, String h) {
    IpPrefix pool = v.prefix();
    long blocks = pool.size().shiftRight(pool.family().bits() == 32 ? 32 - 29 : 128 - 125).longValue();
    if (v.blocks().size() < blocks) {
      return true;
    }
    for (IpamQueries.BlockView b : v.blocks()) {
      if (b.owner().equals(h) || b.owner().isEmpty()) {
        long reserved = 0;
        for (long o = 0; o < b.size(); o++) {
          if (BlockAllocator.isReserved(pool, b.block().addressAt(o))) {
            reserved++;
          }
        }
        if (b.used() + reserved < b.size()) {
          return true;
        }
      }
    }
    return false;
  }

  private static String ownerOf(IpamQueries.PoolView v, IpAddress x) {
    return v.blocks().stream().filter(b -> b.block().contains(x)).findFirst().orElseThrow().owner();
  }

  private static void checkAgainstModel(IpamQueries.PoolView v, IpPrefix pool, TreeMap<IpAddress, String> model) {
    TreeMap<IpAddress, String> stored = new TreeMap<>();
    IpPrefix prev = null;
    for (IpamQueries.BlockView b : v.blocks()) {
      assertThat(pool.contains(b.block())).isTrue();
      assertThat(b.block().length()).isEqualTo(pool.family().bits() == 32 ? 29 : 125);
      if (prev != null) {
        assertThat(prev.overlaps(b.block())).isFalse();
      }
      prev = b.block();
      for (IpamQueries.AddressView a : b.addresses()) {
        assertThat(b.block().contains(a.address())).isTrue();
        assertThat(a.holders()).hasSize(1);
        assertThat(stored.put(a.address(), a.holders().first())).isNull();
      }
    }
    assertThat(stored).isEqualTo(model);
  }
}
