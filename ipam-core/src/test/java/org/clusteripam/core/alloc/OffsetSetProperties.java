package org.clusteripam.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Both offset sets behave exactly like a sorted set of used offsets. */
class OffsetSetProperties {

  /** An operation on the set at an offset (taken modulo the set's capacity). */
  sealed interface Op {
    long offset();
  }

  record Add(long offset) implements Op {}

  record Remove(long offset) implements Op {}

  /** Asks for the lowest free offset at or after {@code offset} (and the next used one). */
  record NextFree(long offset) implements Op {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Long> offsets = Arbitraries.longs().between(0, 5000);
    return Arbitraries.<Op>oneOf(
            offsets.map(Add::new), offsets.map(Remove::new), offsets.map(NextFree::new))
        .list()
        .ofMaxSize(400);
  }

  @Property(tries = 300)
  void denseMatchesTheModel(
      @ForAll @LongRange(min = 1, max = 5000) long capacity, @ForAll("ops") List<Op> ops) {
    check(new DenseOffsetSet((int) capacity), capacity, ops);
  }

  @Property(tries = 300)
  void sparseMatchesTheModel(
      @ForAll @LongRange(min = 1, max = 5000) long capacity, @ForAll("ops") List<Op> ops) {
    check(new SparseOffsetSet(capacity), capacity, ops);
  }

  private static void check(OffsetSet set, long capacity, List<Op> ops) {
    TreeSet<Long> model = new TreeSet<>();
    for (Op op : ops) {
      long o = op.offset() % capacity;
      if (op instanceof Add) {
        assertThat(set.add(o)).isEqualTo(model.add(o));
      } else if (op instanceof Remove) {
        assertThat(set.remove(o)).isEqualTo(model.remove(o));
      } else if (op instanceof NextFree) {
        // ... and takes it
        long expected = -1;
        for (long i = o; i < capacity; i++) {
          if (!model.contains(i)) {
            expected = i;
            break;
          }
        }
        assertThat(set.nextFree(o)).isEqualTo(expected);
        Long used = model.ceiling(o);
        assertThat(set.nextUsed(o)).isEqualTo(used == null ? -1 : used);
        if (expected >= 0) {
          set.add(expected);
          model.add(expected);
        }
      } else {
        throw new AssertionError("unknown operation " + op);
      }
      assertThat(set.count()).isEqualTo(model.size());
    }
    for (long i = 0; i < capacity; i++) {
      assertThat(set.contains(i)).isEqualTo(model.contains(i));
    }
  }

  @Property(tries = 50)
  void fillingCompletelyThenEmptyingWorksAtAnySize(
      @ForAll @LongRange(min = 1, max = 3000) long capacity) {
    for (OffsetSet s :
        new OffsetSet[] {new DenseOffsetSet((int) capacity), new SparseOffsetSet(capacity)}) {
      for (long i = 0; i < capacity; i++) {
        assertThat(s.nextFree(0)).isEqualTo(i);
        s.add(i);
      }
      assertThat(s.nextFree(0)).isEqualTo(-1);
      assertThat(s.count()).isEqualTo(capacity);
      for (long i = capacity - 1; i >= 0; i--) {
        s.remove(i);
        assertThat(s.nextFree(0)).isEqualTo(i);
      }
    }
  }

  @Test
  void sparseSetHandlesAHugeRangeWithMemoryProportionalToUse() {
    SparseOffsetSet s = new SparseOffsetSet(Long.MAX_VALUE);
    for (long i = 0; i < 100_000; i++) {
      s.add(s.nextFree(0));
    }
    assertThat(s.nextFree(0)).isEqualTo(100_000);
    assertThat(s.storedChunks()).isLessThanOrEqualTo(2);
    s.add(Long.MAX_VALUE - 1);
    assertThat(s.nextFree(Long.MAX_VALUE - 1)).isEqualTo(-1);
    assertThat(s.nextUsed(100_000)).isEqualTo(Long.MAX_VALUE - 1);
    s.remove(5);
    assertThat(s.nextFree(0)).isEqualTo(5);
    assertThat(s.count()).isEqualTo(100_000);
  }

  @Test
  void forCapacityPicksTheShape() {
    assertThat(OffsetSet.forCapacity(65536)).isInstanceOf(DenseOffsetSet.class);
    assertThat(OffsetSet.forCapacity(1L << 40)).isInstanceOf(SparseOffsetSet.class);
  }

  @Property(tries = 200)
  void sparseSetOfAWholeSlash64MatchesTheModelNearTheTop(
      @ForAll("ops") List<Op> ops, @ForAll boolean nearTop) {
    SparseOffsetSet set = SparseOffsetSet.ofLast(-2L);
    TreeSet<Long> model = new TreeSet<>(Long::compareUnsigned);
    // the top of the range, or across the sign bit
    long base = nearTop ? -5001L : Long.MAX_VALUE - 2500;
    for (Op op : ops) {
      long o = base + op.offset();
      if (o == -1L) {
        continue;
      }
      if (op instanceof Add) {
        assertThat(set.add(o)).isEqualTo(model.add(o));
      } else if (op instanceof Remove) {
        assertThat(set.remove(o)).isEqualTo(model.remove(o));
      } else if (op instanceof NextFree) {
        long expected = -1;
        for (long i = o; i != -1L; i++) {
          if (!model.contains(i)) {
            expected = i;
            break;
          }
        }
        assertThat(set.nextFree(o)).isEqualTo(expected);
        Long used = model.ceiling(o);
        assertThat(set.nextUsed(o)).isEqualTo(used == null ? -1 : used);
      } else {
        throw new AssertionError("unknown operation " + op);
      }
      assertThat(set.count()).isEqualTo(model.size());
    }
  }
}
