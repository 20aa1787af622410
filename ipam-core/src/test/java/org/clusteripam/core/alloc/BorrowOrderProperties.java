package org.clusteripam.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;

/** The per-holder order of blocks used to claim and to borrow. */
class BorrowOrderProperties {

  @Property(tries = 200)
  void positionOfInvertsIndexAt(
      @ForAll("holders") String holder,
      @ForAll @IntRange(min = 0, max = 62) int bits,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long raw) {
    BlockOrder o = BlockOrder.forHolder(Holder.of(holder), bits);
    long i = raw & (o.count() - 1);
    assertThat(o.positionOf(o.indexAt(i))).isEqualTo(i);
    assertThat(o.indexAt(o.positionOf(i))).isEqualTo(i);
  }

  @Property(tries = 40)
  void theOrderIsAPermutationOfAllBlocksAndDeterministic(
      @ForAll("holders") String holder,
      @ForAll @IntRange(min = 16, max = 24) int poolLength,
      @ForAll @IntRange(min = 0, max = 7) int extraBits,
      @ForAll boolean v6) {
    IpPrefix pool =
        v6
            ? IpPrefix.parse("fd00:" + poolLength + "::/" + (poolLength + 32))
            : IpPrefix.parse("10." + poolLength + ".0.0/" + poolLength);
    int blockLength = Math.min(pool.family().bits(), pool.length() + extraBits);
    int count = 1 << (blockLength - pool.length());
    List<IpPrefix> all = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      all.add(pool.subPrefix(blockLength, i));
    }
    BorrowOrder order = BorrowOrder.forHolder(Holder.of(holder), pool, blockLength);
    Set<Long> positions = new HashSet<>();
    for (IpPrefix b : all) {
      long p = order.positionOf(b);
      assertThat(p).isBetween(0L, count - 1L);
      assertThat(positions.add(p)).as("position %d given twice", p).isTrue();
    }
    List<IpPrefix> sorted = order.sorted(all);
    assertThat(sorted).hasSize(count).containsExactlyInAnyOrderElementsOf(all);
    List<IpPrefix> reversed = new ArrayList<>(all);
    java.util.Collections.reverse(reversed);
    assertThat(BorrowOrder.forHolder(Holder.of(holder), pool, blockLength).sorted(reversed))
        .isEqualTo(sorted);
    for (int i = 0; i < count; i++) {
      assertThat(order.positionOf(sorted.get(i))).isEqualTo(i);
    }
  }

  /**
   * N holders whose blocks are full each take the first block of their order among the B blocks
   * with room: how many share a first choice must look like N balls thrown into B bins at random
   * (Poisson tail), not like everyone queueing on the same few blocks. The bound is exceeded with
   * probability below 10^-6 per try for independent uniform choices.
   */
  @Property(tries = 20)
  void differentHoldersFirstChoicesSpread(
      @ForAll @IntRange(min = 3, max = 8) int blockBits,
      @ForAll @IntRange(min = 1, max = 3) int holdersPerBlock,
      @ForAll @IntRange(min = 1, max = 100) int withRoomPercent,
      @ForAll("holders") String namePrefix,
      @ForAll long seed) {
    IpPrefix pool = IpPrefix.parse("10.64.0.0/16");
    int blockLength = 16 + blockBits;
    int count = 1 << blockBits;
    Random r = new Random(seed);
    List<IpPrefix> withRoom = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      if (r.nextInt(100) < withRoomPercent) {
        withRoom.add(pool.subPrefix(blockLength, i));
      }
    }
    if (withRoom.isEmpty()) {
      withRoom.add(pool.subPrefix(blockLength, r.nextInt(count)));
    }
    int b = withRoom.size();
    int n = holdersPerBlock * b;
    Map<IpPrefix, Integer> firsts = new HashMap<>();
    for (int h = 0; h < n; h++) {
      BorrowOrder order = BorrowOrder.forHolder(Holder.of(namePrefix + h), pool, blockLength);
      IpPrefix first = withRoom.get(0);
      for (IpPrefix c : withRoom) {
        if (order.positionOf(c) < order.positionOf(first)) {
          first = c;
        }
      }
      firsts.merge(first, 1, Integer::sum);
    }
    int max = firsts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    double mean = (double) n / b;
    assertThat(max)
        .as("%d holders over %d blocks with room: most sharing one first choice", n, b)
        .isLessThanOrEqualTo((int) Math.ceil(mean + 4 * Math.sqrt(mean) + 8));
    if (b >= 16) {
      // and they cover most blocks: ~(1 - e^-mean) of them for random choices
      double expected = b * (1 - Math.exp(-mean));
      assertThat(firsts.size()).isGreaterThan((int) (expected - 5 * Math.sqrt(b) - 2));
    }
  }

  /**
   * After k lost races the order is the same blocks, started k further (wrapped around): no block
   * with room is skipped for good, the first k choices are not tried first again, and a holder that
   * never lost keeps its plain order.
   */
  @Property(tries = 100)
  void afterLostRacesRotatesTheOrder(
      @ForAll("holders") String holder,
      @ForAll @IntRange(min = 1, max = 6) int blockBits,
      @ForAll @IntRange(min = 0, max = 20) int lostRaces,
      @ForAll long seed) {
    IpPrefix pool = IpPrefix.parse("10.64.0.0/16");
    int blockLength = 16 + blockBits;
    Random r = new Random(seed);
    List<IpPrefix> withRoom = new ArrayList<>();
    for (long i = 0; i < (1L << blockBits); i++) {
      if (r.nextBoolean()) {
        withRoom.add(pool.subPrefix(blockLength, i));
      }
    }
    BorrowOrder order = BorrowOrder.forHolder(Holder.of(holder), pool, blockLength);
    List<IpPrefix> plain = order.sorted(withRoom);
    List<IpPrefix> after = order.afterLostRaces(withRoom, lostRaces);
    assertThat(after).containsExactlyInAnyOrderElementsOf(withRoom);
    assertThat(order.afterLostRaces(withRoom, 0)).isEqualTo(plain);
    for (int i = 0; i < after.size(); i++) {
      assertThat(after.get(i)).isEqualTo(plain.get((i + lostRaces) % plain.size()));
    }
    if (!withRoom.isEmpty() && lostRaces % withRoom.size() != 0) {
      assertThat(plain.subList(0, lostRaces % withRoom.size())).doesNotContain(after.get(0));
    }
  }

  @Provide
  Arbitrary<String> holders() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withChars('-', '.', '0', '1', '9')
        .ofMinLength(1)
        .ofMaxLength(12);
  }
}
