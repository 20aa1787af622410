package org.clusteripam.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class BlockAllocatorProperties {

  @Provide
  Arbitrary<IpPrefix> pools() {
    return Arbitraries.of(
            "10.5.0.0/24",
            "10.5.0.0/26",
            "10.5.0.0/30",
            "10.5.0.0/31",
            "10.5.0.7/32",
            "fd00:6::/64",
            "fd00:6::/120",
            "fd00::/127")
        .map(IpPrefix::parse);
  }

  /**
   * The block of the pool that holds its network address (the interesting one for reserved
   * addresses).
   */
  static IpPrefix firstBlock(IpPrefix pool) {
    int len = Math.max(pool.length(), pool.family().bits() - 8);
    return IpPrefix.containing(pool.network(), len);
  }

  @Property(tries = 200)
  void lowestFreeFillsExactlyTheUsableAddressesAndNeverReserved(@ForAll("pools") IpPrefix pool) {
    IpPrefix block = firstBlock(pool);
    BlockAllocator a = new BlockAllocator(pool, block, Optional.empty(), 0);
    Set<IpAddress> got = new HashSet<>();
    Optional<IpAddress> x;
    IpAddress prev = null;
    while ((x = a.allocate(false, 0)).isPresent()) {
      assertThat(block.contains(x.get())).isTrue();
      assertThat(BlockAllocator.isReserved(pool, x.get())).isFalse();
      assertThat(got.add(x.get())).isTrue();
      if (prev != null) {
        assertThat(x.get()).isGreaterThan(prev);
      }
      prev = x.get();
    }
    long reserved =
        pool.hostBits() < 2 ? 0 : pool.family().bits() == 32 ? (block.equals(pool) ? 2 : 1) : 1;
    assertThat((long) got.size()).isEqualTo(block.sizeAsLong() - reserved);
    assertThat(a.dynamicFree()).isZero();
  }

  @Property(tries = 200)
  void serialNeverReusesAFreedAddressBeforeWrapping(
      @ForAll @IntRange(min = 1, max = 60) int first,
      @ForAll List<@IntRange(min = 0, max = 59) Integer> releases) {
    IpPrefix pool = IpPrefix.parse("10.5.0.0/26");
    BlockAllocator a = new BlockAllocator(pool, pool, Optional.empty(), 0);
    IpAddress last = null;
    for (int i = 0; i < first; i++) {
      last = a.allocate(true, 0).orElseThrow();
    }
    Set<IpAddress> freed = new HashSet<>();
    for (int r : releases) {
      IpAddress f = pool.addressAt(1 + r);
      if (f.compareTo(last) <= 0 && a.release(f, 0)) {
        freed.add(f);
      }
    }
    // Everything after the cursor comes first; only then the freed addresses below it.
    Optional<IpAddress> x;
    boolean wrapped = false;
    while ((x = a.allocate(true, 0)).isPresent()) {
      if (x.get().compareTo(last) <= 0) {
        wrapped = true;
        assertThat(freed).contains(x.get());
      } else {
        assertThat(wrapped).as("no address above the cursor after wrapping").isFalse();
      }
    }
  }

  @Property(tries = 200)
  void cooldownIsHonoured(
      @ForAll @LongRange(min = 1, max = 100_000) long cooldown,
      @ForAll @LongRange(min = 0, max = 200_000) long wait) {
    IpPrefix pool = IpPrefix.parse("10.5.0.0/30"); // two usable addresses
    BlockAllocator a = new BlockAllocator(pool, pool, Optional.empty(), cooldown);
    IpAddress x = a.allocate(false, 0).orElseThrow();
    a.allocate(false, 0).orElseThrow();
    a.release(x, 1000);
    Optional<IpAddress> again = a.allocate(false, 1000 + wait);
    if (wait < cooldown) {
      assertThat(again).isEmpty();
      assertThat(a.cooling(1000 + wait)).containsKey(x);
      assertThat(a.take(x)).as("an explicit request ignores cooldown").isTrue();
    } else {
      assertThat(again).contains(x);
    }
  }

  @Property(tries = 100)
  void ipRangeRestrictsDynamicPicksOnly(
      @ForAll @IntRange(min = 26, max = 32) int rangeLen,
      @ForAll @IntRange(min = 0, max = 63) int rangeIndex) {
    IpPrefix pool = IpPrefix.parse("10.6.0.0/16");
    IpPrefix block = IpPrefix.parse("10.6.5.0/26");
    IpPrefix range = IpPrefix.containing(block.addressAt(rangeIndex), rangeLen);
    BlockAllocator a = new BlockAllocator(pool, block, Optional.of(range), 0);
    int n = 0;
    Optional<IpAddress> x;
    while ((x = a.allocate(false, 0)).isPresent()) {
      assertThat(range.contains(x.get())).isTrue();
      n++;
    }
    assertThat((long) n).isEqualTo(range.sizeAsLong());
    IpAddress outside = range.contains(block.addressAt(0)) ? block.last() : block.addressAt(0);
    if (!range.contains(outside)) {
      assertThat(a.take(outside)).isTrue();
    }
  }

  @Test
  void reservedAddressesCannotBeTakenAndUsedOnesAreReported() {
    IpPrefix pool = IpPrefix.parse("10.5.0.0/24");
    BlockAllocator a =
        new BlockAllocator(pool, IpPrefix.parse("10.5.0.192/26"), Optional.empty(), 0);
    assertThatThrownBy(() -> a.take(IpAddress.parse("10.5.0.255")))
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> a.take(IpAddress.parse("10.5.0.1")))
        .hasMessageContaining("not inside block");
    assertThat(a.take(IpAddress.parse("10.5.0.200"))).isTrue();
    assertThat(a.take(IpAddress.parse("10.5.0.200"))).isFalse();
    assertThat(a.release(IpAddress.parse("10.5.0.200"), 0)).isTrue();
    assertThat(a.release(IpAddress.parse("10.5.0.200"), 0)).isFalse();
    assertThat(
            BlockAllocator.isReserved(IpPrefix.parse("10.5.0.0/31"), IpAddress.parse("10.5.0.0")))
        .isFalse();
    assertThat(BlockAllocator.isReserved(IpPrefix.parse("fd00::/64"), IpAddress.parse("fd00::")))
        .isTrue();
    assertThat(
            BlockAllocator.isReserved(
                IpPrefix.parse("fd00::/64"), IpAddress.parse("fd00::ffff:ffff:ffff:ffff")))
        .isFalse();
  }

  @Property(tries = 100)
  void blockOrderIsAPermutationAndDeterministic(
      @ForAll @IntRange(min = 0, max = 10) int bits, @ForAll("hosts") String host) {
    BlockOrder o = BlockOrder.forHolder(Holder.of(host), bits);
    Set<Long> seen = new HashSet<>();
    for (long i = 0; i < o.count(); i++) {
      long idx = o.indexAt(i);
      assertThat(idx).isBetween(0L, o.count() - 1);
      assertThat(seen.add(idx)).isTrue();
      assertThat(BlockOrder.forHolder(Holder.of(host), bits).indexAt(i)).isEqualTo(idx);
    }
  }

  @Provide
  Arbitrary<String> hosts() {
    return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
  }

  @Test
  void differentHostsStartInDifferentBlocks() {
    Set<Long> firsts = new HashSet<>();
    for (int h = 0; h < 32; h++) {
      firsts.add(BlockOrder.forHolder(Holder.of("host-" + h), 10).indexAt(0));
    }
    assertThat(firsts.size()).isGreaterThan(24);
  }

  @Test
  void aWholeSlash64BlockServesBothHalvesButNotItsAllOnesIdentifier() {
    IpPrefix pool = IpPrefix.parse("fd00:6::/64");
    BlockAllocator a = new BlockAllocator(pool, pool, Optional.empty(), 1000);
    assertThat(a.allocate(false, 0)).contains(IpAddress.parse("fd00:6::1"));
    IpAddress high = IpAddress.parse("fd00:6::ffff:ffff:ffff:fffe");
    IpAddress upperHalf = IpAddress.parse("fd00:6::8000:0:0:5");
    assertThat(a.take(high)).isTrue();
    assertThat(a.take(upperHalf)).isTrue();
    assertThat(a.isUsed(upperHalf)).isTrue();
    assertThatThrownBy(() -> a.take(IpAddress.parse("fd00:6::ffff:ffff:ffff:ffff")))
        .hasMessageContaining("reserved");
    assertThat(a.release(upperHalf, 5)).isTrue();
    assertThat(a.cooling(6)).containsOnlyKeys(upperHalf);
    assertThat(
            BlockAllocator.reservedReason(pool, 64, IpAddress.parse("fd00:6::ffff:ffff:ffff:ffff")))
        .contains("reserved subnet anycast (RFC 2526)");
    assertThat(
            BlockAllocator.reservedReason(
                pool, 112, IpAddress.parse("fd00:6::ffff:ffff:ffff:ffff")))
        .isEmpty();
    // Serial picks continue after the last one handed out, across the sign bit of the offset.
    BlockAllocator s =
        new BlockAllocator(
            pool, pool, Optional.of(IpPrefix.parse("fd00:6::7fff:ffff:ffff:fffe/127")), 0);
    assertThat(s.allocate(true, 0)).contains(IpAddress.parse("fd00:6::7fff:ffff:ffff:fffe"));
    assertThat(s.allocate(true, 0)).contains(IpAddress.parse("fd00:6::7fff:ffff:ffff:ffff"));
    assertThat(s.allocate(true, 0)).isEmpty();
    BlockAllocator top =
        new BlockAllocator(
            pool, pool, Optional.of(IpPrefix.parse("fd00:6::ffff:ffff:ffff:fffc/126")), 0);
    assertThat(top.allocate(true, 0)).contains(IpAddress.parse("fd00:6::ffff:ffff:ffff:fffc"));
    assertThat(top.allocate(true, 0)).contains(IpAddress.parse("fd00:6::ffff:ffff:ffff:fffd"));
    assertThat(top.allocate(true, 0)).contains(IpAddress.parse("fd00:6::ffff:ffff:ffff:fffe"));
    assertThat(top.allocate(true, 0)).isEmpty();
  }
}
