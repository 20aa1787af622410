package org.clusteripam.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The paged primitive set behaves like a TreeSet under unsigned order, across page splits and
 * merges.
 */
class LongSortedSetProperties {

  @Provide
  Arbitrary<List<Long>> ops() {
    // Positive: add; negative: remove (of the value's complement). Few distinct values so removes
    // hit.
    Arbitrary<Long> small = Arbitraries.longs().between(-3000, 3000).map(v -> v * 3);
    Arbitrary<Long> huge = Arbitraries.longs().between(0, 3000).map(v -> v | Long.MIN_VALUE);
    return Arbitraries.oneOf(small, huge).list().ofMinSize(500).ofMaxSize(3000);
  }

  @Property(tries = 60)
  void matchesATreeSet(@ForAll("ops") List<Long> ops) {
    LongSortedSet s = new LongSortedSet();
    TreeSet<Long> model = new TreeSet<>(Long::compareUnsigned);
    boolean[] found = new boolean[1];
    int i = 0;
    for (long op : ops) {
      boolean remove = (i++ % 3 == 2);
      long v = op < 0 && op > -3001 ? -op : op;
      if (remove) {
        assertThat(s.remove(v)).isEqualTo(model.remove(v));
      } else {
        assertThat(s.add(v)).isEqualTo(model.add(v));
      }
      assertThat(s.size()).isEqualTo(model.size());
      long probe = v - 7;
      Long c = model.ceiling(probe);
      long got = s.ceiling(probe, found);
      assertThat(found[0]).isEqualTo(c != null);
      if (c != null) {
        assertThat(got).isEqualTo(c);
      }
      assertThat(s.contains(v)).isEqualTo(model.contains(v));
    }
    for (long v : model) {
      assertThat(s.contains(v)).isTrue();
    }
  }
}
