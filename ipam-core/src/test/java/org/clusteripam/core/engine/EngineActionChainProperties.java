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
import net.jqwik.api.Tuple;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.EngineSpec;

/**
 * A stateful chain of actions (allocate, allocate exact, release, release unknown, give back empty
 * blocks, leave and rejoin the pool, replay the pool request, let the replay windows close) by
 * three hosts on one small pool whose four blocks (of 8 addresses) force claims, borrowing and
 * exhaustion. Every chain runs under every configuration of {@link EngineSpec#all()} (addressing
 * mode, family, strict affinity, store). After every step the store must equal a reference model
 * (address → holder) and the block structure must be sound.
 */
class EngineActionChainProperties {
  static final List<HostId> HOSTS = List.of(new HostId("h0"), new HostId("h1"), new HostId("h2"));

  /** One step of the chain, by one of {@link #HOSTS} (an index); {@code n} picks an address. */
  sealed interface Action {
    int host();
  }

  /** A dynamic address for the host. */
  record Allocate(int host) implements Action {}

  /** The pool's address at offset {@code n} (modulo its size), asked for exactly. */
  record AllocateExact(int host, int n) implements Action {}

  /** Releases one of the host's own addresses (the {@code n}-th), if it holds any. */
  record ReleaseOwn(int host, int n) implements Action {}

  /** Releases the address at offset {@code n} when the host does not hold it: nothing changes. */
  record ReleaseUnknown(int host, int n) implements Action {}

  /** The host gives back its empty blocks. */
  record GiveBackEmptyBlocks(int host) implements Action {}

  /** The host leaves the pool (its addresses go) and requests it again. */
  record Rejoin(int host) implements Action {}

  /** The host re-requests the pool it holds, which opens its replay window. */
  record ReplayPool(int host) implements Action {}

  /** Time passes beyond every replay window. */
  record ReplayWindowsClose() implements Action {
    @Override
    public int host() {
      return 0;
    }
  }

  @Provide
  Arbitrary<List<Action>> chains() {
    Arbitrary<Integer> host = Arbitraries.integers().between(0, 2);
    Arbitrary<Integer> n = Arbitraries.integers().between(0, 63);
    Arbitrary<Action> a =
        Arbitraries.frequencyOf(
            Tuple.of(12, host.map(Allocate::new)),
            Tuple.of(4, Combinators.combine(host, n).as(AllocateExact::new)),
            Tuple.of(4, Combinators.combine(host, n).as(ReleaseOwn::new)),
            Tuple.of(1, Combinators.combine(host, n).as(ReleaseUnknown::new)),
            Tuple.of(1, host.map(GiveBackEmptyBlocks::new)),
            Tuple.of(1, host.map(Rejoin::new)),
            Tuple.of(3, host.map(ReplayPool::new)),
            Tuple.of(1, Arbitraries.just(new ReplayWindowsClose())));
    return a.list().ofMinSize(40).ofMaxSize(120);
  }

  // 10 chains × 16 configurations: about the cost of the 2 × 40 runs this suite had with one
  // configuration per run, twice over.
  @Property(tries = 10)
  void everyConfigurationMatchesTheModel(@ForAll("chains") List<Action> chain) {
    for (EngineSpec spec : EngineSpec.all()) {
      try {
        run(spec, chain);
      } catch (AssertionError e) {
        throw new AssertionError("under " + spec + ": " + e.getMessage(), e);
      }
    }
  }

  private void run(EngineSpec spec, List<Action> chain) {
    boolean strict = spec.strict();
    IpPrefix pool = spec.pick(IpPrefix.parse("10.5.0.0/27"), IpPrefix.parse("fd00::/123"));
    IpamConfig config =
        IpamConfig.builder()
            .blockLength(IpFamily.IPV4, 29)
            .blockLength(IpFamily.IPV6, 125)
            .strictAffinity(strict)
            .build();
    InMemoryStateStore store = new InMemoryStateStore();
    org.clusteripam.core.testing.MutableClock clock =
        new org.clusteripam.core.testing.MutableClock(Instant.EPOCH);
    ClusterIpam ipam = new ClusterIpam(spec.open(store), config, clock);
    // hosts whose replay window is open
    java.util.Set<String> replaying = new java.util.HashSet<>();
    PoolId id = null;
    for (HostId h : HOSTS) {
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
    // Per-host mode keeps a placeholder range (the top block here) that hosts never claim or
    // borrow.
    Optional<IpPrefix> placeholders = view(ipam).placeholders();
    assertThat(placeholders.isPresent()).isEqualTo(spec.mode() == EngineSpec.Mode.PER_HOST);
    long usable = 0; // dynamic capacity: neither reserved nor a placeholder
    for (long o = 0; o < pool.sizeAsLong(); o++) {
      IpAddress a = pool.addressAt(o);
      if (!BlockAllocator.isReserved(pool, a) && !inRange(placeholders, a)) {
        usable++;
      }
    }
    long exactSpan = pool.sizeAsLong() - placeholders.map(IpPrefix::sizeAsLong).orElse(0L);
    placeholders.ifPresent(
        ph ->
            assertThat(ph.last())
                .as("the default placeholder range is the pool's top")
                .isEqualTo(pool.last()));
    TreeMap<IpAddress, String> model = new TreeMap<>();
    for (Action act : chain) {
      String h = HOSTS.get(act.host()).value();
      HostId host = HOSTS.get(act.host());
      IpamQueries.PoolView before = view(ipam);
      // Java 17 has no pattern switch: one branch per action type, the last one checked.
      if (act instanceof Allocate) {
        boolean mayHaveRoom =
            strict
                ? strictRoom(before, h)
                : model.keySet().stream().filter(x -> !inRange(placeholders, x)).count() < usable;
        if (mayHaveRoom) {
          IpAddress x =
              ipam.requestAddress(
                      new AddressRequest(
                          host, id, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                  .address();
          assertThat(model).doesNotContainKey(x);
          assertThat(pool.contains(x)).isTrue();
          assertThat(BlockAllocator.isReserved(pool, x)).isFalse();
          model.put(x, h);
          String owner = ownerOf(view(ipam), x);
          net.jqwik.api.statistics.Statistics.label("allocate")
              .collect(owner.equals(h) ? "own block" : "borrowed");
          if (strict || !owner.equals(h)) {
            // Borrowing only happens when the host had nothing of its own and no block to claim.
            assertThat(owner.equals(h) || !strictRoom(before, h))
                .as("borrowed %s from %s while %s had room", x, owner, h)
                .isTrue();
          }
        } else {
          net.jqwik.api.statistics.Statistics.label("allocate")
              .collect(strict ? "exhausted (strict)" : "exhausted");
          PoolId pid = id;
          assertThatThrownBy(
                  () ->
                      ipam.requestAddress(
                          new AddressRequest(
                              host, pid, Optional.empty(), AddressKind.ENDPOINT, Map.of())))
              .isInstanceOfSatisfying(
                  ExhaustedException.class,
                  e -> {
                    assertThat(e.getMessage()).contains(pool.toString());
                    if (strict && before.blocks().stream().anyMatch(b -> owner(b).equals(h))) {
                      assertThat(e.level()).isEqualTo(ExhaustedException.Level.HOST_BLOCK);
                      assertThat(e.getMessage()).startsWith("no free address in host block");
                    } else {
                      assertThat(e.level()).isEqualTo(ExhaustedException.Level.POOL);
                      assertThat(e.prefix()).isEqualTo(pool);
                    }
                  });
        }
      } else if (act instanceof AllocateExact a) {
        // A host asking for a placeholder gets an address of its own instead (PerHostProperties'
        // subject): exact requests stay below the placeholder range.
        IpAddress x = pool.addressAt(a.n() % exactSpan);
        AddressRequest r =
            new AddressRequest(host, id, Optional.of(x), AddressKind.ENDPOINT, Map.of());
        if (BlockAllocator.isReserved(pool, x)) {
          assertThatThrownBy(() -> ipam.requestAddress(r))
              .isInstanceOf(InvalidRequestException.class);
        } else if (model.containsKey(x) && !model.get(x).equals(h)) {
          assertThatThrownBy(() -> ipam.requestAddress(r))
              .isInstanceOf(ConflictException.class)
              .hasMessageContaining("host " + model.get(x));
        } else if (model.containsKey(x) && !replaying.contains(h)) {
          // A second endpoint of the same host asking for its own address: refused, nothing
          // written.
          long rev = store.revision();
          assertThatThrownBy(() -> ipam.requestAddress(r))
              .isInstanceOf(ConflictException.class)
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
      } else if (act instanceof ReleaseOwn a) {
        List<IpAddress> mine = new ArrayList<>();
        model.forEach(
            (x, o) -> {
              if (o.equals(h)) {
                mine.add(x);
              }
            });
        if (!mine.isEmpty()) {
          IpAddress x = mine.get(a.n() % mine.size());
          ipam.releaseAddress(host, id, x);
          model.remove(x);
        }
      } else if (act instanceof ReleaseUnknown a) {
        IpAddress x = pool.addressAt(a.n() % pool.sizeAsLong());
        long rev = store.revision();
        if (!h.equals(model.get(x))) {
          ipam.releaseAddress(host, id, x); // not ours: nothing changes
          assertThat(store.revision()).isEqualTo(rev);
        }
      } else if (act instanceof GiveBackEmptyBlocks) {
        ipam.releaseEmptyBlocks(host);
        assertThat(view(ipam).blocks())
            .noneMatch(b -> owner(b).equals(h) && b.addresses().isEmpty());
      } else if (act instanceof Rejoin) {
        ipam.releasePool(host, id);
        model.values().removeIf(h::equals);
        assertThat(view(ipam).blocks()).noneMatch(b -> owner(b).equals(h));
        PoolGrant g =
            ipam.requestPool(
                new PoolRequest(
                    host,
                    "ClusterIpamLocal",
                    Optional.of(pool),
                    Optional.empty(),
                    spec.poolOptions(),
                    false));
        assertThat(g.id()).isEqualTo(id);
        replaying.remove(h); // a rejoin is no replay
      } else if (act instanceof ReplayPool) {
        PoolGrant g =
            ipam.requestPool(
                new PoolRequest(
                    host,
                    "ClusterIpamLocal",
                    Optional.of(pool),
                    Optional.empty(),
                    spec.poolOptions(),
                    false));
        assertThat(g.id()).isEqualTo(id);
        replaying.add(h);
      } else if (act instanceof ReplayWindowsClose) {
        clock.advance(config.replayWindow().plusMillis(1));
        replaying.clear();
      } else {
        throw new AssertionError("unknown action " + act);
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
    long blocks =
        pool.size().shiftRight(pool.family().bits() == 32 ? 32 - 29 : 128 - 125).longValue();
    long claimable =
        blocks
            - v.placeholders()
                .map(
                    ph ->
                        ph.size()
                            .shiftRight(pool.family().bits() == 32 ? 32 - 29 : 128 - 125)
                            .longValue())
                .orElse(0L);
    if (v.blocks().stream().filter(b -> !inRange(v.placeholders(), b.block().network())).count()
        < claimable) {
      return true;
    }
    for (IpamQueries.BlockView b : v.blocks()) {
      if (owner(b).equals(h) || b.owner().isEmpty()) {
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

  private static boolean inRange(Optional<IpPrefix> range, IpAddress a) {
    return range.isPresent() && range.get().contains(a);
  }

  private static String ownerOf(IpamQueries.PoolView v, IpAddress x) {
    return owner(v.blocks().stream().filter(b -> b.block().contains(x)).findFirst().orElseThrow());
  }

  /** A block's owner as the store keeps it ({@code ""}: none). */
  private static String owner(IpamQueries.BlockView b) {
    return b.owner().map(Holder::format).orElse("");
  }

  private static void checkAgainstModel(
      IpamQueries.PoolView v, IpPrefix pool, TreeMap<IpAddress, String> model) {
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
        assertThat(stored.put(a.address(), a.holders().first().format())).isNull();
      }
    }
    assertThat(stored).isEqualTo(model);
  }
}
