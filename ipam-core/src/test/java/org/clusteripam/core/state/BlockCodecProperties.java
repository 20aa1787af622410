package org.clusteripam.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StoreCorruptException;
import org.junit.jupiter.api.Test;

/**
 * The binary block codec: round trips of any block, size bounds of the hot shapes, JSON-era blocks.
 */
class BlockCodecProperties {
  /** Key of a block as the etcd store writes it (its default prefix), counted with the value. */
  static int keyBytes(Block b) {
    return ("/cluster-ipam/" + Keys.block(b.pool(), b.block())).length();
  }

  record Place(IpPrefix pool, IpPrefix block, Optional<IpPrefix> range) {}

  @Provide
  Arbitrary<Place> places() {
    return Arbitraries.of(
        new Place(
            IpPrefix.parse("10.80.3.0/24"), IpPrefix.parse("10.80.3.64/26"), Optional.empty()),
        new Place(
            IpPrefix.parse("10.6.0.0/16"),
            IpPrefix.parse("10.6.5.0/26"),
            Optional.of(IpPrefix.parse("10.6.5.0/28"))),
        new Place(IpPrefix.parse("10.5.0.7/32"), IpPrefix.parse("10.5.0.7/32"), Optional.empty()),
        new Place(IpPrefix.parse("fd00:6::/64"), IpPrefix.parse("fd00:6::/64"), Optional.empty()),
        new Place(
            IpPrefix.parse("fd80:cafe:0:4::/64"),
            IpPrefix.parse("fd80:cafe:0:4::3:0/112"),
            Optional.of(IpPrefix.parse("fd80:cafe:0:4::3:0/120"))));
  }

  @Provide
  Arbitrary<Holder> holders() {
    return Arbitraries.oneOf(
        Arbitraries.of(
                "h1",
                "h2",
                "@global",
                "@vip/h1/k3x9abc",
                "@cni/h1",
                "@cni/h1/net1/ctr-0123456789abcdef/eth0")
            .map(Holder::parse),
        Arbitraries.strings()
            .withChars("abcXYZ019._-")
            .ofMinLength(1)
            .ofMaxLength(40)
            .map(Holder::of));
  }

  @Provide
  Arbitrary<Block> blocks() {
    Arbitrary<Place> place = places();
    return place.flatMap(
        pl -> {
          long last = pl.block().hostBits() >= 63 ? Long.MAX_VALUE : pl.block().sizeAsLong() - 1;
          // offsets: dense runs, worst-case fragmentation (every other address) or anywhere
          Arbitrary<Long> offset =
              Arbitraries.oneOf(
                  Arbitraries.longs().between(0, Math.min(last, 300)),
                  Arbitraries.longs().between(0, last),
                  Arbitraries.longs().between(0, Math.min(last, 300) / 2).map(x -> x * 2));
          Arbitrary<Allocation> alloc =
              Combinators.combine(
                      Arbitraries.of(AddressKind.values()),
                      holders().set().ofMinSize(1).ofMaxSize(3),
                      Arbitraries.oneOf(
                          Arbitraries.longs(),
                          Arbitraries.longs().between(1_700_000_000_000L, 1_700_000_100_000L)),
                      Arbitraries.integers().between(0, 9))
                  .as(
                      (k, h, t, ph) ->
                          new Allocation(
                              k,
                              new TreeSet<>(h),
                              t,
                              ph == 0
                                  ? Optional.of(
                                      pl.pool().first().plus(pl.pool().hostBits() >= 2 ? 3 : 0))
                                  : Optional.empty()));
          Arbitrary<TreeMap<IpAddress, Allocation>> allocs =
              Combinators.combine(offset, alloc)
                  .as((o, a) -> java.util.Map.entry(pl.block().addressAt(o), a))
                  .list()
                  .ofMaxSize(200)
                  .map(
                      l -> {
                        TreeMap<IpAddress, Allocation> m = new TreeMap<>();
                        l.forEach(e -> m.put(e.getKey(), e.getValue()));
                        return m;
                      });
          Arbitrary<TreeMap<IpAddress, Long>> cooling =
              Combinators.combine(offset, Arbitraries.longs())
                  .as((o, t) -> java.util.Map.entry(pl.block().addressAt(o), t))
                  .list()
                  .ofMaxSize(20)
                  .map(
                      l -> {
                        TreeMap<IpAddress, Long> m = new TreeMap<>();
                        l.forEach(e -> m.put(e.getKey(), e.getValue()));
                        return m;
                      });
          return Combinators.combine(
                  allocs,
                  cooling,
                  Arbitraries.longs(),
                  Arbitraries.oneOf(
                      Arbitraries.just(Optional.<Holder>empty()), holders().map(Optional::of)))
              .as(
                  (a, c, cursor, owner) ->
                      Block.of(pl.pool(), pl.block(), pl.range(), owner, a, cursor, c));
        });
  }

  @Property(tries = 400)
  void everyBlockRoundTrips(@ForAll("blocks") Block b) {
    byte[] bytes = StateCodec.encode(b);
    assertThat(BlockCodec.isBinary(bytes)).isTrue();
    Block back = StateCodec.decodeBlock("blocks/x", bytes);
    assertThat(back).isEqualTo(b);
    assertThat(back.allocations()).isEqualTo(b.allocations());
    assertThat(back.cooling()).isEqualTo(b.cooling());
    assertThat(StateCodec.encode(back)).isEqualTo(bytes);
  }

  @Property(tries = 300)
  void truncatedOrExtendedValuesFailNamingTheKey(
      @ForAll("blocks") Block b, @ForAll @IntRange(min = 1, max = 64) int cut) {
    byte[] bytes = StateCodec.encode(b);
    byte[] shorter = java.util.Arrays.copyOf(bytes, Math.max(1, bytes.length - cut));
    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + cut);
    for (byte[] bad : List.of(shorter, longer)) {
      assertThatThrownBy(() -> StateCodec.decodeBlock("blocks/k", bad))
          .isInstanceOfSatisfying(
              StoreCorruptException.class, e -> assertThat(e.key()).isEqualTo("blocks/k"));
    }
  }

  /**
   * An IPv4 /26 block at any fill, as its owner fills and churns it (any holes, allocations up to
   * an hour apart over days, the gateway shared by up to 8 other hosts of the pool, a minute of
   * cooldown): key and value stay within 512 bytes. (Every host that joins the pool adds its name
   * to the gateway's holders, so the one block holding the gateway grows with the pool's hosts.)
   */
  @Property(tries = 300)
  void aSlash26StaysWithin512BytesAtAnyFill(
      @ForAll @IntRange(min = 0, max = 63) int fill,
      @ForAll List<@IntRange(min = 0, max = 63) Integer> releases,
      @ForAll @IntRange(min = 0, max = 3_600_000) int step,
      @ForAll @IntRange(min = 0, max = 8) int joiners) {
    IpPrefix pool = IpPrefix.parse("10.80.3.0/24");
    Block b =
        Block.empty(pool, IpPrefix.parse("10.80.3.0/26"), Optional.empty(), Holder.of("host-0017"));
    long now = 1_796_000_000_000L;
    long cooldown = 60_000;
    int max = 0;
    b =
        b.take(
            IpAddress.parse("10.80.3.1"),
            Holder.parse("@global"),
            AddressKind.GATEWAY,
            now,
            cooldown);
    for (int j = 0; j < joiners; j++) {
      b = b.share(IpAddress.parse("10.80.3.1"), Holder.parse("host-" + String.format("%04d", j)));
    }
    for (int i = 0; i < fill; i++) {
      now += step;
      var p =
          b.pick(
              Holder.parse("host-0017"),
              AddressKind.ENDPOINT,
              StandardAddressPolicy.LOWEST_FREE,
              now,
              cooldown);
      if (p.isPresent()) {
        b = p.get().block();
      }
      max = Math.max(max, keyBytes(b) + StateCodec.encode(b).length);
    }
    for (int r : releases) {
      now += step / 4;
      b = b.drop(b.block().addressAt(r), Holder.parse("host-0017"), now, cooldown);
      var p =
          b.pick(
              Holder.parse("host-0017"),
              AddressKind.ENDPOINT,
              StandardAddressPolicy.LOWEST_FREE,
              now,
              cooldown);
      if (p.isPresent() && r % 2 == 0) {
        b = p.get().block();
      }
      max = Math.max(max, keyBytes(b) + StateCodec.encode(b).length);
    }
    assertThat(max)
        .as("bytes written per change of a /26 with %d joiners", joiners)
        .isLessThanOrEqualTo(512);
  }

  @Test
  void aBlockWrittenAsJsonByEarlierBuildsDecodesAndIsRewrittenInBinary() throws IOException {
    List<String> lines;
    try (InputStream in = getClass().getResourceAsStream("/blocks/json-era.jsonl")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    Block v4 =
        StateCodec.decodeBlock(
            "blocks/10.80.3.0-24/10.80.3.64-26", lines.get(0).getBytes(StandardCharsets.UTF_8));
    assertThat(v4.pool()).isEqualTo(IpPrefix.parse("10.80.3.0/24"));
    assertThat(v4.ipRange()).contains(IpPrefix.parse("10.80.3.64/27"));
    assertThat(v4.owner()).contains(Holder.of("h1"));
    assertThat(v4.serialCursor()).isEqualTo(6);
    assertThat(v4.size()).isEqualTo(5);
    Allocation gw = v4.allocation(IpAddress.parse("10.80.3.65")).orElseThrow();
    assertThat(gw.kind()).isEqualTo(AddressKind.GATEWAY);
    assertThat(gw.holders()).extracting(Holder::format).containsExactly("@global", "h1");
    assertThat(gw.sinceMillis()).isEqualTo(1700000000000L);
    assertThat(v4.allocation(IpAddress.parse("10.80.3.67")).orElseThrow().holders())
        .containsExactly(new Holder.Vip(new HostId("h1"), "k3x9abc"));
    assertThat(v4.allocation(IpAddress.parse("10.80.3.68")).orElseThrow().placeholder())
        .contains(IpAddress.parse("10.80.3.197"));
    assertThat(v4.allocation(IpAddress.parse("10.80.3.69")).orElseThrow().sinceMillis())
        .isEqualTo(1699999999000L);
    assertThat(v4.cooling())
        .containsEntry(IpAddress.parse("10.80.3.70"), 1700000000002L)
        .containsEntry(IpAddress.parse("10.80.3.126"), 1700000000004L);
    byte[] binary = StateCodec.encode(v4);
    assertThat(binary.length).isLessThan(lines.get(0).length() / 4);
    assertThat(StateCodec.decodeBlock("k", binary)).isEqualTo(v4);
    // and it goes on working: the next pick inside the ip-range skips the used and cooling
    // addresses
    var p =
        v4.pick(
                Holder.parse("h1"),
                AddressKind.ENDPOINT,
                StandardAddressPolicy.LOWEST_FREE,
                1700000000003L,
                10_000)
            .orElseThrow();
    assertThat(p.address()).isEqualTo(IpAddress.parse("10.80.3.64"));
    Block v6 = StateCodec.decodeBlock("k", lines.get(1).getBytes(StandardCharsets.UTF_8));
    assertThat(v6.owner()).isEmpty();
    assertThat(
            v6.allocation(IpAddress.parse("fd00:6::ffff:ffff:ffff:fffe")).orElseThrow().holders())
        .isEqualTo(Set.of(Holder.of("h2"), Holder.of("h3")));
    assertThat(StateCodec.decodeBlock("k", StateCodec.encode(v6))).isEqualTo(v6);
  }

  @Test
  void anUnknownVersionIsRefusedWithItsNumber() {
    byte[] b =
        StateCodec.encode(
            Block.empty(
                IpPrefix.parse("10.1.0.0/24"),
                IpPrefix.parse("10.1.0.0/26"),
                Optional.empty(),
                Holder.of("h1")));
    b[1] = 9;
    assertThatThrownBy(() -> StateCodec.decodeBlock("blocks/a", b))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("blocks/a")
        .hasMessageContaining("version 9 is not supported");
  }
}
