package org.clusteripam.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class SupernetCarverProperties {

  @Provide
  Arbitrary<IpPrefix> supernets() {
    return Arbitraries.of(
        IpPrefix.parse("10.80.0.0/12"),
        IpPrefix.parse("192.168.0.0/16"),
        IpPrefix.parse("fd80:cafe::/48"),
        IpPrefix.parse("10.0.0.0/8"));
  }

  /**
   * Each step: a length to carve (as an offset below the supernet), or a release of the i-th taken
   * prefix.
   */
  @Provide
  Arbitrary<List<Integer>> steps() {
    return Arbitraries.integers().between(-40, 12).list().ofMaxSize(200);
  }

  @Property(tries = 200)
  void carvedPrefixesAreAlignedInsideAndNeverOverlap(
      @ForAll("supernets") IpPrefix supernet, @ForAll("steps") List<Integer> steps) {
    SupernetCarver c = new SupernetCarver(supernet);
    List<IpPrefix> live = new ArrayList<>();
    for (int s : steps) {
      if (s < 0) {
        if (live.isEmpty()) {
          continue;
        }
        IpPrefix p = live.remove(Math.floorMod(s, live.size()));
        assertThat(c.release(p)).isTrue();
        assertThat(c.release(p)).isFalse();
        continue;
      }
      int len = supernet.length() + 4 + s;
      Optional<IpPrefix> got = c.allocate(len);
      if (got.isEmpty()) {
        continue;
      }
      IpPrefix p = got.get();
      assertThat(p.length()).isEqualTo(len);
      assertThat(supernet.contains(p)).isTrue();
      assertThat(IpPrefix.of(p.network(), len)).isEqualTo(p); // aligned
      for (IpPrefix q : live) {
        assertThat(q.overlaps(p)).as("%s overlaps %s", p, q).isFalse();
      }
      live.add(p);
    }
    // Release everything: buddies coalesce back into the single supernet block.
    for (IpPrefix p : live) {
      assertThat(c.release(p)).isTrue();
    }
    assertThat(c.freeBlockCount()).isEqualTo(1);
    assertThat(c.allocate(supernet.length())).contains(supernet);
  }

  @Property(tries = 50)
  void exhaustionHappensExactlyAtCapacityAndReleaseRestoresIt(
      @ForAll @IntRange(min = 0, max = 10) int bits,
      @ForAll @IntRange(min = 0, max = 200) int reserveIndex) {
    IpPrefix supernet = IpPrefix.parse("10.80.0.0/16");
    int len = 16 + bits;
    SupernetCarver c = new SupernetCarver(supernet);
    List<IpPrefix> got = new ArrayList<>();
    Optional<IpPrefix> p;
    while ((p = c.allocate(len)).isPresent()) {
      if (!got.isEmpty()) {
        assertThat(p.get()).isGreaterThan(got.get(got.size() - 1)); // lowest address first
      }
      got.add(p.get());
    }
    assertThat(BigInteger.valueOf(got.size())).isEqualTo(supernet.subPrefixCount(len));
    IpPrefix back = got.get(reserveIndex % got.size());
    c.release(back);
    assertThat(c.allocate(len)).contains(back);
    assertThat(c.allocate(len)).isEmpty();
  }

  @Test
  void reservationsSplitAroundStaticPoolsAndConflictsNameBoth() {
    SupernetCarver c = new SupernetCarver(IpPrefix.parse("10.80.0.0/12"));
    c.reserve(IpPrefix.parse("10.80.0.0/23"));
    c.reserve(IpPrefix.parse("10.80.3.0/24"));
    assertThat(c.allocate(24)).contains(IpPrefix.parse("10.80.2.0/24"));
    assertThat(c.allocate(24)).contains(IpPrefix.parse("10.80.4.0/24"));
    assertThatThrownBy(() -> c.reserve(IpPrefix.parse("10.80.0.0/16")))
        .isInstanceOfSatisfying(
            PrefixConflictException.class,
            e -> assertThat(e.existing()).isEqualTo(IpPrefix.parse("10.80.0.0/23")))
        .hasMessage("10.80.0.0/16 overlaps 10.80.0.0/23, which is already in use");
    assertThatThrownBy(() -> c.reserve(IpPrefix.parse("10.80.1.128/25")))
        .hasMessageContaining("10.80.0.0/23");
    assertThatThrownBy(() -> c.reserve(IpPrefix.parse("10.96.0.0/24")))
        .hasMessageContaining("not inside the supernet");
    assertThat(c.release(IpPrefix.parse("10.80.0.0/24"))).isFalse();
    assertThat(c.overlapping(IpPrefix.parse("10.80.3.7/32")))
        .contains(IpPrefix.parse("10.80.3.0/24"));
  }

  @Test
  void carvesTenThousandPoolsQuickly() {
    SupernetCarver c = new SupernetCarver(IpPrefix.parse("10.0.0.0/8"));
    for (int i = 0; i < 10_000; i++) {
      assertThat(c.allocate(24)).isPresent();
    }
    assertThat(c.takenCount()).isEqualTo(10_000);
    assertThat(c.allocate(24)).contains(IpPrefix.parse("10.39.16.0/24"));
  }
}
