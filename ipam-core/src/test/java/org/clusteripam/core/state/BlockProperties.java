package org.clusteripam.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * The block's own allocation math against {@link BlockAllocator}, the reference model (whose
 * properties pin the rules): any sequence of dynamic picks, explicit takes and releases, with or
 * without ip-range and cooldown, gives the same addresses, the same refusals, the same used set,
 * cooling entries and serial cursor — and every intermediate block survives its codec.
 */
class BlockProperties {
  record Shape(IpPrefix pool, IpPrefix block, Optional<IpPrefix> range, long cooldown) {}

  sealed interface Op permits Pick, Take, Release, Wait {}

  record Pick(boolean serial) implements Op {}

  record Take(int offset) implements Op {}

  record Release(int offset) implements Op {}

  record Wait(long millis) implements Op {}

  @Provide
  Arbitrary<Shape> shapes() {
    Arbitrary<String[]> places =
        Arbitraries.of(
            new String[] {"10.5.0.0/24", "10.5.0.0/26"},
            new String[] {"10.5.0.0/24", "10.5.0.192/26"},
            new String[] {"10.5.0.0/30", "10.5.0.0/30"},
            new String[] {"10.5.0.0/31", "10.5.0.0/31"},
            new String[] {"10.5.0.7/32", "10.5.0.7/32"},
            new String[] {"fd00:6::/64", "fd00:6::/64"},
            new String[] {"fd00:6::/64", "fd00:6::/120"},
            new String[] {"fd00:6::/48", "fd00:6::/112"},
            new String[] {"10.6.0.0/16", "10.6.5.0/26"});
    Arbitrary<Integer> rangeLen = Arbitraries.of(0, 27, 28, 30, 122, 124);
    Arbitrary<Long> cooldown = Arbitraries.of(0L, 5L, 100L);
    return Combinators.combine(places, rangeLen, cooldown)
        .as(
            (pl, rl, cd) -> {
              IpPrefix pool = IpPrefix.parse(pl[0]);
              IpPrefix block = IpPrefix.parse(pl[1]);
              Optional<IpPrefix> range =
                  rl == 0 || rl <= block.length() || rl > block.family().bits()
                      ? Optional.empty()
                      : Optional.of(
                          IpPrefix.containing(
                              block.network().plus(block.hostBits() >= 4 ? 8 : 0), rl));
              return new Shape(pool, block, range, cd);
            });
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.of(true, false).map(Pick::new)),
            net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 70).map(Take::new)),
            net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0, 70).map(Release::new)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 120).map(Wait::new)));
    return op.list().ofMaxSize(120);
  }

  @Property(tries = 300)
  void behavesLikeTheReferenceAllocator(@ForAll("shapes") Shape sh, @ForAll("ops") List<Op> ops) {
    BlockAllocator ref = new BlockAllocator(sh.pool(), sh.block(), sh.range(), sh.cooldown());
    Block b = Block.empty(sh.pool(), sh.block(), sh.range(), Holder.of("h1"));
    long now = 1_000;
    for (Op op : ops) {
      if (op instanceof Wait w) {
        now += w.millis();
      } else if (op instanceof Pick p) {
        Optional<IpAddress> want = ref.allocate(p.serial(), now);
        Optional<Block.Picked> got =
            b.pick(
                Holder.parse("h1"),
                AddressKind.ENDPOINT,
                p.serial() ? StandardAddressPolicy.SERIAL : StandardAddressPolicy.LOWEST_FREE,
                now,
                sh.cooldown());
        assertThat(got.map(Block.Picked::address)).isEqualTo(want);
        if (got.isPresent()) {
          b = got.get().block();
          assertThat(b.allocation(want.get()).orElseThrow().sinceMillis()).isEqualTo(now);
        }
      } else if (op instanceof Take t) {
        if (sh.block().hostBits() < 7 && t.offset() >= sh.block().sizeAsLong()) {
          continue;
        }
        IpAddress a = sh.block().addressAt(t.offset());
        boolean reserved;
        boolean took;
        try {
          took = ref.take(a);
          reserved = false;
        } catch (IllegalArgumentException e) {
          reserved = true;
          took = false;
        }
        Block before = b;
        long at = now;
        if (reserved) {
          assertThatThrownBy(
                  () -> before.take(a, Holder.parse("h2"), AddressKind.ENDPOINT, at, sh.cooldown()))
              .isInstanceOf(IllegalArgumentException.class);
        } else if (!took) {
          assertThatThrownBy(
                  () -> before.take(a, Holder.parse("h2"), AddressKind.ENDPOINT, at, sh.cooldown()))
              .isInstanceOf(IllegalStateException.class);
        } else {
          b = b.take(a, Holder.parse("h2"), AddressKind.GATEWAY, now, sh.cooldown());
        }
      } else if (op instanceof Release r) {
        if (sh.block().hostBits() < 7 && r.offset() >= sh.block().sizeAsLong()) {
          continue;
        }
        IpAddress a = sh.block().addressAt(r.offset());
        Optional<Allocation> al = b.allocation(a);
        boolean freed = ref.release(a, now);
        assertThat(al.isPresent()).isEqualTo(freed);
        if (al.isPresent()) {
          b = b.drop(a, al.get().holders().first(), now, sh.cooldown());
        } else {
          assertThat(b.drop(a, Holder.parse("h1"), now, sh.cooldown())).isSameAs(b);
        }
      }
      assertSame(ref, b, now, sh);
    }
  }

  private static void assertSame(BlockAllocator ref, Block b, long now, Shape sh) {
    assertThat((long) b.size()).isEqualTo(ref.usedCount());
    for (IpAddress a : b.allocations().keySet()) {
      assertThat(ref.isUsed(a)).as("%s used", a).isTrue();
    }
    TreeMap<IpAddress, Long> live = new TreeMap<>();
    b.cooling()
        .forEach(
            (a, t) -> {
              if (t + sh.cooldown() > now) {
                live.put(a, t);
              }
            });
    assertThat(live).isEqualTo(ref.cooling(now));
    assertThat(b.serialCursor()).isEqualTo(ref.serialCursor());
    assertThat(StateCodec.decodeBlock("blocks/x", StateCodec.encode(b))).isEqualTo(b);
  }

  @Property(tries = 50)
  void dropAllIsTheSameAsDroppingEachReference(@ForAll("ops") List<Op> ops) {
    IpPrefix pool = IpPrefix.parse("10.5.0.0/24");
    Block b = Block.empty(pool, IpPrefix.parse("10.5.0.0/26"), Optional.empty(), Holder.of("h1"));
    long now = 0;
    for (Op op : ops) {
      if (op instanceof Pick p) {
        var got =
            b.pick(
                Holder.parse(p.serial() ? "h1" : "h2"),
                AddressKind.ENDPOINT,
                StandardAddressPolicy.LOWEST_FREE,
                now++,
                10);
        if (got.isPresent()) {
          b = got.get().block();
          if (p.serial()) {
            b = b.share(got.get().address(), Holder.parse("h3"));
          }
        }
      }
    }
    Block one = b.dropAll(h -> h.format().equals("h1") || h.format().equals("h3"), now, 10);
    Block each = b;
    for (var e : b.allocations().entrySet()) {
      for (Holder h : e.getValue().holders()) {
        if (h.format().equals("h1") || h.format().equals("h3")) {
          each = each.drop(e.getKey(), h, now, 10);
        }
      }
    }
    assertThat(one).isEqualTo(each);
    assertThat(one.anyHolder(h -> h.format().equals("h1") || h.format().equals("h3"))).isFalse();
  }
}
