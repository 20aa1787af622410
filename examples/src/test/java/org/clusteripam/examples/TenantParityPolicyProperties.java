package org.clusteripam.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.alloc.ReservedAddresses;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * A custom allocation policy ({@link TenantParityPolicy}) property-tested the way another Java tool
 * would embed ipam-core: the policy's own rules (each tenant only ever gets its parity, the lowest
 * free one) and the core's invariants (never a used or reserved address, always inside the block
 * and its ip-range, exhaustion exactly at capacity, release restores capacity), IPv4 and IPv6.
 */
class TenantParityPolicyProperties {

  /** A block inside a pool, optionally an ip-range inside the pool, all small enough to exhaust. */
  record Setup(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange) {}

  /** One step: allocate for a tenant, or release the used address at (index modulo used count). */
  record Step(boolean allocate, TenantParityPolicy tenant, int index) {}

  @Provide
  Arbitrary<Setup> setups() {
    Arbitrary<Setup> v4 =
        Combinators.combine(
                Arbitraries.integers().between(20, 30),
                Arbitraries.integers().between(0, 6),
                Arbitraries.longs().between(0, 0xFFFFFFFFL),
                Arbitraries.integers().between(0, 3))
            .as(
                (pl, extra, seed, rangeKind) ->
                    setup(
                        IpAddress.parse("10.0.0.0").plus(seed & 0xFFFFFFL),
                        pl,
                        Math.min(30, pl + extra),
                        seed,
                        rangeKind));
    Arbitrary<Setup> v6 =
        Combinators.combine(
                Arbitraries.integers().between(64, 120),
                Arbitraries.integers().between(116, 124),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.integers().between(0, 3))
            .as(
                (pl, bl, seed, rangeKind) ->
                    setup(
                        IpAddress.parse("fd00:1::").plus(seed & 0xFFFFFFFFFFL),
                        pl,
                        Math.max(pl, bl),
                        seed,
                        rangeKind));
    return Arbitraries.oneOf(v4, v6);
  }

  private static Setup setup(
      IpAddress seedAddress, int poolLength, int blockLength, long seed, int rangeKind) {
    IpPrefix pool = IpPrefix.containing(seedAddress, poolLength);
    long blocks = 1L << Math.min(30, blockLength - poolLength);
    IpPrefix block = pool.subPrefix(blockLength, Math.floorMod(seed, blocks));
    Optional<IpPrefix> range =
        switch (rangeKind) {
          case 0 -> Optional.empty();
          case 1 -> Optional.of(pool); // covers the block
          case 2 ->
              Optional.of(
                  IpPrefix.containing(
                      block.network().plus(Math.floorMod(seed, block.sizeAsLong())),
                      // inside the block
                      Math.min(
                          block.family().bits(),
                          block.length() + 1 + (int) Math.floorMod(seed >>> 8, 3))));
          // beside it (or the pool)
          default -> Optional.of(block.length() > pool.length() ? block.buddy() : pool);
        };
    return new Setup(pool, block, range);
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.of(TenantParityPolicy.class),
                Arbitraries.integers().between(0, 10_000))
            .as((k, t, i) -> new Step(k < 7, t, i));
    return step.list().ofMaxSize(120);
  }

  /** Offsets of the block a dynamic pick may return: inside the ip-range, not reserved. */
  private static TreeSet<Long> dynamic(Setup s) {
    TreeSet<Long> out = new TreeSet<>();
    for (long o = 0; o < s.block().sizeAsLong(); o++) {
      IpAddress a = s.block().addressAt(o);
      boolean inRange = s.ipRange().map(r -> r.contains(a)).orElse(true);
      boolean anycast = s.block().hostBits() == 64 && a.equals(s.block().last());
      if (inRange && !anycast && !ReservedAddresses.isReserved(s.pool(), a)) {
        out.add(o);
      }
    }
    return out;
  }

  @Property(tries = 300)
  void eachTenantGetsTheLowestFreeAddressOfItsParityAndNothingEverCollides(
      @ForAll("setups") Setup s, @ForAll("steps") List<Step> steps) {
    PolicyBlock block = new PolicyBlock(s.pool(), s.block(), s.ipRange());
    TreeSet<Long> allowed = dynamic(s);
    TreeSet<Long> used = new TreeSet<>();
    for (Step st : steps) {
      if (st.allocate()) {
        Optional<IpAddress> got = block.allocate(st.tenant());
        Optional<Long> expected =
            allowed.stream().filter(o -> !used.contains(o) && st.tenant().owns(o)).findFirst();
        assertThat(got.map(a -> s.block().offsetOf(a))).isEqualTo(expected);
        got.ifPresent(
            a -> {
              assertThat(s.block().contains(a)).isTrue();
              assertThat(s.ipRange().map(r -> r.contains(a)).orElse(true)).isTrue();
              assertThat(ReservedAddresses.isReserved(s.pool(), a)).isFalse();
              assertThat(used.add(s.block().offsetOf(a))).as("never a used address").isTrue();
            });
      } else if (!used.isEmpty()) {
        long o = used.stream().skip(st.index() % used.size()).findFirst().orElseThrow();
        assertThat(block.release(s.block().addressAt(o))).isTrue();
        used.remove(o);
      }
      assertThat(block.usedCount()).isEqualTo(used.size());
    }
  }

  @Property(tries = 200)
  void exhaustionComesExactlyAtEachTenantsCapacityAndReleaseRestoresIt(
      @ForAll("setups") Setup s, @ForAll int pickSeed) {
    PolicyBlock block = new PolicyBlock(s.pool(), s.block(), s.ipRange());
    TreeSet<Long> allowed = dynamic(s);
    for (TenantParityPolicy tenant : TenantParityPolicy.values()) {
      long capacity = allowed.stream().filter(tenant::owns).count();
      List<IpAddress> mine = new java.util.ArrayList<>();
      for (long i = 0; i < capacity; i++) {
        mine.add(
            block
                .allocate(tenant)
                .orElseThrow(
                    () ->
                        new AssertionError(tenant + " exhausted before its capacity " + capacity)));
      }
      assertThat(block.allocate(tenant))
          .as("%s exhausted exactly at %d", tenant, capacity)
          .isEmpty();
      if (!mine.isEmpty()) {
        IpAddress freed = mine.get(Math.floorMod(pickSeed, mine.size()));
        assertThat(block.release(freed)).isTrue();
        assertThat(block.allocate(tenant)).contains(freed);
        assertThat(block.allocate(tenant)).isEmpty();
      }
    }
    // The other tenant's exhaustion never left free addresses behind: the block is full.
    assertThat(block.allocate(StandardAddressPolicy.LOWEST_FREE)).isEmpty();
  }
}
