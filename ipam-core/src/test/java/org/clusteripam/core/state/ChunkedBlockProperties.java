package org.clusteripam.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StoreCorruptException;
import org.junit.jupiter.api.Test;

/**
 * A block larger than a chunk, stored as a summary and chunk keys: over random picks, takes,
 * shares, releases and waits it behaves exactly as the same block in one value and as the reference
 * model, read back from its keys after every write (sometimes from the written instance, as the
 * engine's decode cache does); each operation writes at most the summary and one chunk; the bytes a
 * change writes stay within 1 KB at any fill up to 4,096 addresses; and two writers of different
 * chunks never lose an update.
 */
class ChunkedBlockProperties {
  /** Key prefix of the etcd store by default, counted with each key written. */
  private static final String ETCD_PREFIX = "/cluster-ipam/";

  record Place(IpPrefix pool, IpPrefix block, Optional<IpPrefix> range, long cooldown) {}

  sealed interface Op permits Pick, Take, Share, Release, Wait {}

  record Pick(boolean serial) implements Op {}

  record Take(int offset) implements Op {}

  record Share(int offset) implements Op {}

  record Release(int offset) implements Op {}

  record Wait(long millis) implements Op {}

  @Provide
  Arbitrary<Place> places() {
    Arbitrary<String[]> places =
        Arbitraries.of(
            new String[] {"fd00:6::/64", "fd00:6::/112"},
            new String[] {"fd00:6::/48", "fd00:6:0:1::5:0/112"},
            new String[] {"fd00:6::/64", "fd00:6::/120"},
            new String[] {"fd00:6::/64", "fd00:6::/64"},
            new String[] {"10.5.0.0/16", "10.5.0.0/23"},
            new String[] {"10.5.0.0/24", "10.5.0.0/24"});
    Arbitrary<Integer> range = Arbitraries.of(0, 0, 121, 118);
    Arbitrary<Long> cooldown = Arbitraries.of(0L, 5L, 100L);
    return Combinators.combine(places, range, cooldown)
        .as(
            (pl, rl, cd) -> {
              IpPrefix pool = IpPrefix.parse(pl[0]);
              IpPrefix block = IpPrefix.parse(pl[1]);
              int len = block.family().bits() == 32 ? rl - 96 : rl;
              Optional<IpPrefix> r =
                  rl == 0 || len <= block.length()
                      ? Optional.empty()
                      : Optional.of(IpPrefix.containing(block.network().plus(300), len));
              return new Place(pool, block, r, cd);
            });
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> offset =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 140), Arbitraries.integers().between(0, 511));
    Arbitrary<Op> op =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.of(true, false).map(Pick::new)),
            Tuple.of(2, offset.map(Take::new)),
            Tuple.of(1, offset.map(Share::new)),
            Tuple.of(3, offset.map(Release::new)),
            Tuple.of(1, Arbitraries.longs().between(0, 120).map(Wait::new)));
    return op.list().ofMaxSize(200);
  }

  /** A store of key → value with what each write changed. */
  static final class Keys2 {
    final TreeMap<String, byte[]> data = new TreeMap<>();
    int lastBytes;
    int lastChunkWrites;

    /** Writes {@code b} as the engine does and returns what the next transaction reads back. */
    Block write(Block b, boolean fromWritten) {
      String key = Keys.block(b.pool(), b.block());
      BlockWrite w = BlockCodec.write(b);
      lastBytes = 0;
      lastChunkWrites = w.chunkPuts().size() + w.chunkDeletes().size();
      for (var e : w.chunkPuts().entrySet()) {
        data.put(e.getKey(), e.getValue());
        lastBytes += (ETCD_PREFIX + e.getKey()).length() + e.getValue().length;
      }
      w.chunkDeletes().forEach(data::remove);
      if (w.valueChanged()) {
        data.put(key, w.value());
        lastBytes += (ETCD_PREFIX + key).length() + w.value().length;
      }
      assertThat(data.get(key)).isEqualTo(w.value());
      if (fromWritten) {
        return w.stored().reading(k -> Optional.ofNullable(data.get(k)));
      }
      return StateCodec.decodeBlock(
          key, data.get(key).clone(), k -> Optional.ofNullable(data.get(k)));
    }
  }

  @Property(tries = 200)
  void chunkedIsTheSingleValueBlockIsTheReferenceModel(
      @ForAll("places") Place pl, @ForAll("ops") List<Op> ops, @ForAll boolean fromWritten) {
    BlockAllocator ref = new BlockAllocator(pl.pool(), pl.block(), pl.range(), pl.cooldown());
    Block flat =
        Block.of(
            pl.pool(),
            pl.block(),
            pl.range(),
            Optional.of(Holder.of("h1")),
            new TreeMap<>(),
            0,
            new TreeMap<>());
    Keys2 store = new Keys2();
    Block ch =
        store.write(Block.empty(pl.pool(), pl.block(), pl.range(), Holder.of("h1")), fromWritten);
    assertThat(ch.chunks()).isNotNull();
    long now = 1_000;
    for (Op op : ops) {
      Block before = ch;
      if (op instanceof Wait w) {
        now += w.millis();
        continue;
      } else if (op instanceof Pick p) {
        var policy = p.serial() ? StandardAddressPolicy.SERIAL : StandardAddressPolicy.LOWEST_FREE;
        Optional<IpAddress> want = ref.allocate(p.serial(), now);
        Optional<Block.Picked> gotFlat =
            flat.pick(Holder.parse("h1"), AddressKind.ENDPOINT, policy, now, pl.cooldown());
        Optional<Block.Picked> got =
            ch.pick(Holder.parse("h1"), AddressKind.ENDPOINT, policy, now, pl.cooldown());
        assertThat(got.map(Block.Picked::address))
            .isEqualTo(want)
            .isEqualTo(gotFlat.map(Block.Picked::address));
        if (got.isPresent()) {
          flat = gotFlat.get().block();
          ch = got.get().block();
        }
      } else if (op instanceof Take t) {
        IpAddress a = at(pl, t.offset());
        long at = now;
        boolean reserved =
            BlockAllocator.reservedReason(pl.pool(), pl.block().length(), a).isPresent();
        if (reserved) {
          assertThatThrownBy(
                  () -> before.take(a, Holder.parse("h2"), AddressKind.ENDPOINT, at, pl.cooldown()))
              .isInstanceOf(IllegalArgumentException.class);
          continue;
        }
        boolean took = ref.take(a);
        if (!took) {
          assertThatThrownBy(
                  () -> before.take(a, Holder.parse("h2"), AddressKind.ENDPOINT, at, pl.cooldown()))
              .isInstanceOf(IllegalStateException.class);
          continue;
        }
        flat = flat.take(a, Holder.parse("h2"), AddressKind.GATEWAY, now, pl.cooldown());
        ch = ch.take(a, Holder.parse("h2"), AddressKind.GATEWAY, now, pl.cooldown());
      } else if (op instanceof Share s) {
        IpAddress a = at(pl, s.offset());
        if (!flat.isAllocated(a)) {
          assertThatThrownBy(() -> before.share(a, Holder.parse("h3")))
              .isInstanceOf(IllegalArgumentException.class);
          continue;
        }
        flat = flat.share(a, Holder.parse("h3"));
        ch = ch.share(a, Holder.parse("h3"));
      } else if (op instanceof Release r) {
        IpAddress a = at(pl, r.offset());
        Optional<Allocation> al = flat.allocation(a);
        assertThat(ch.allocation(a)).isEqualTo(al);
        if (al.isEmpty()) {
          assertThat(ch.drop(a, Holder.parse("h1"), now, pl.cooldown())).isSameAs(ch);
          assertThat(ref.release(a, now)).isFalse();
          continue;
        }
        Holder h = al.get().holders().first();
        flat = flat.drop(a, h, now, pl.cooldown());
        ch = ch.drop(a, h, now, pl.cooldown());
        if (!flat.isAllocated(a)) {
          assertThat(ref.release(a, now)).isTrue();
        }
      }
      ch = store.write(ch, fromWritten);
      assertThat(store.lastChunkWrites).as("one chunk per operation").isLessThanOrEqualTo(1);
      assertSame(ch, flat, ref, now, pl.cooldown());
      assertStoreMatchesSummary(store, ch);
    }
    // a whole-block operation over every chunk, and the one-value encoding of the chunked form
    Block leftFlat = flat.dropAll(Holder.of("h3")::equals, now, pl.cooldown());
    Block leftCh =
        store.write(ch.dropAll(Holder.of("h3")::equals, now, pl.cooldown()), fromWritten);
    assertSame(leftCh, leftFlat, null, now, pl.cooldown());
    assertStoreMatchesSummary(store, leftCh);
    assertThat(StateCodec.decodeBlock("blocks/x", StateCodec.encode(leftCh)))
        .isEqualTo(leftCh.flat());
  }

  private static IpAddress at(Place pl, int offset) {
    return pl.block()
        .addressAt(pl.block().hostBits() < 10 ? offset % pl.block().sizeAsLong() : offset);
  }

  private static void assertSame(
      Block ch, Block flat, BlockAllocator ref, long now, long cooldown) {
    assertThat(ch.size()).isEqualTo(flat.size());
    assertThat(ch.allocations()).isEqualTo(flat.allocations());
    assertThat(ch.serialCursor()).isEqualTo(flat.serialCursor());
    assertThat(ch.owner()).isEqualTo(flat.owner());
    assertThat(live(ch, now, cooldown)).isEqualTo(live(flat, now, cooldown));
    if (ref != null) {
      assertThat((long) ch.size()).isEqualTo(ref.usedCount());
      assertThat(live(ch, now, cooldown)).isEqualTo(ref.cooling(now));
      assertThat(ch.serialCursor()).isEqualTo(ref.serialCursor());
    }
  }

  private static TreeMap<IpAddress, Long> live(Block b, long now, long cooldown) {
    TreeMap<IpAddress, Long> out = new TreeMap<>();
    b.cooling()
        .forEach(
            (a, t) -> {
              if (t + cooldown > now) {
                out.put(a, t);
              }
            });
    return out;
  }

  /** The chunk keys in the store are exactly those the summary lists. */
  private static void assertStoreMatchesSummary(Keys2 store, Block b) {
    String key = Keys.block(b.pool(), b.block());
    List<String> inStore =
        new ArrayList<>(store.data.subMap(key + "/", key + "/" + Character.MAX_VALUE).keySet());
    assertThat(new TreeSet<>(inStore)).isEqualTo(new TreeSet<>(BlockCodec.chunkKeys(b)));
    inStore.forEach(k -> assertThat(Keys.isBlockChunk(k)).isTrue());
    assertThat(Keys.isBlockChunk(key)).isFalse();
  }

  @Provide
  Arbitrary<List<Long>> gaps() {
    return Arbitraries.oneOf(
            Arbitraries.longs().between(0, 3_600_000), Arbitraries.of(1L, 1000L, 3_600_000L))
        .list()
        .ofSize(4096);
  }

  /**
   * The target: an allocation or release in an IPv6 block holding up to 4,096 addresses writes at
   * most 1 KB (keys with the etcd prefix + values), allocations up to an hour apart, with releases
   * and cooldown; the owner fills lowest-first.
   */
  @Property(tries = 12)
  void aChangeOfABlockHoldingUpTo4096WritesAtMost1KB(
      @ForAll("gaps") List<Long> gaps, @ForAll long seed) {
    IpPrefix pool = IpPrefix.parse("fd80:cafe:0:4::/64");
    IpPrefix block = IpPrefix.parse("fd80:cafe:0:4::3:0/112");
    java.util.Random rnd = new java.util.Random(seed);
    Keys2 store = new Keys2();
    Block b = store.write(Block.empty(pool, block, Optional.empty(), Holder.of("host-0017")), true);
    long now = 1_796_000_000_000L;
    int max = 0;
    for (long gap : gaps) {
      now += gap;
      b =
          store.write(
              b.pick(
                      Holder.parse("host-0017"),
                      AddressKind.ENDPOINT,
                      StandardAddressPolicy.LOWEST_FREE,
                      now,
                      60_000)
                  .orElseThrow()
                  .block(),
              true);
      max = Math.max(max, store.lastBytes);
      IpAddress a = block.addressAt(rnd.nextInt(b.size() + 1));
      if (rnd.nextInt(16) == 0 && b.isAllocated(a)) {
        b = store.write(b.drop(a, Holder.parse("host-0017"), now, 60_000), true);
        max = Math.max(max, store.lastBytes);
        now += rnd.nextInt(3_600_000);
        b =
            store.write(
                b.pick(
                        Holder.parse("host-0017"),
                        AddressKind.ENDPOINT,
                        StandardAddressPolicy.LOWEST_FREE,
                        now,
                        60_000)
                    .orElseThrow()
                    .block(),
                true);
        max = Math.max(max, store.lastBytes);
      }
    }
    assertThat(b.size()).isEqualTo(4096);
    assertThat(max).as("bytes written by one change").isLessThanOrEqualTo(1024);
  }

  @Property(tries = 100)
  void aBlockInOneValueConvertsOnItsNextWriteAndReadsBackTheSame(
      @ForAll("places") Place pl, @ForAll("ops") List<Op> ops) {
    Block flat =
        Block.of(
            pl.pool(),
            pl.block(),
            pl.range(),
            Optional.of(Holder.of("h1")),
            new TreeMap<>(),
            0,
            new TreeMap<>());
    long now = 5;
    for (Op op : ops) {
      if (op instanceof Pick p) {
        flat =
            flat.pick(
                    Holder.parse("h" + (now % 3)),
                    AddressKind.ENDPOINT,
                    p.serial() ? StandardAddressPolicy.SERIAL : StandardAddressPolicy.LOWEST_FREE,
                    now++,
                    10)
                .map(Block.Picked::block)
                .orElse(flat);
      } else if (op instanceof Release r && flat.size() > 0) {
        IpAddress a =
            flat.allocations().keySet().stream()
                .skip(r.offset() % flat.size())
                .findFirst()
                .orElseThrow();
        flat = flat.drop(a, flat.allocation(a).get().holders().first(), now++, 10);
      }
    }
    // As earlier builds stored it: one value (version 1).
    Keys2 store = new Keys2();
    String key = Keys.block(pl.pool(), pl.block());
    Block old = StateCodec.decodeBlock(key, StateCodec.encode(flat), k -> Optional.empty());
    assertThat(old.chunks()).isNull();
    Block converted = store.write(old, false);
    assertThat(converted.chunks()).isNotNull();
    assertThat(converted).isEqualTo(flat);
    assertThat(converted.allocations()).isEqualTo(flat.allocations());
    assertThat(converted.cooling()).isEqualTo(flat.cooling());
    assertStoreMatchesSummary(store, converted);
  }

  @Test
  void aBlockSpanningMoreChunksThanATransactionCarriesStaysInOneValue() {
    IpPrefix pool = IpPrefix.parse("fd00:6::/64");
    IpPrefix block = IpPrefix.parse("fd00:6::/112");
    TreeMap<IpAddress, Allocation> m = new TreeMap<>();
    for (int i = 1; i <= Chunks.MAX_CONVERSION + 1; i++) {
      m.put(
          block.addressAt(i * 128L),
          new Allocation(AddressKind.ENDPOINT, Allocation.single(Holder.of("h1")), 7));
    }
    Block flat =
        Block.of(
            pool, block, Optional.empty(), Optional.of(Holder.of("h1")), m, 0, new TreeMap<>());
    BlockWrite w = BlockCodec.write(flat);
    assertThat(w.chunkPuts()).isEmpty();
    assertThat(StateCodec.decodeBlock("blocks/x", w.value())).isEqualTo(flat);
    m.remove(m.firstKey());
    BlockWrite w2 =
        BlockCodec.write(
            Block.of(
                pool,
                block,
                Optional.empty(),
                Optional.of(Holder.of("h1")),
                m,
                0,
                new TreeMap<>()));
    assertThat(w2.chunkPuts()).hasSize(Chunks.MAX_CONVERSION);
  }

  @Test
  void chunksAreCheckedAgainstTheirSummaryAndNeverReadAlone() {
    IpPrefix pool = IpPrefix.parse("fd00:6::/64");
    IpPrefix block = IpPrefix.parse("fd00:6::/112");
    Keys2 store = new Keys2();
    Block b = Block.empty(pool, block, Optional.empty(), Holder.of("h1"));
    for (int i = 0; i < 200; i++) {
      b =
          b.pick(Holder.parse("h1"), AddressKind.ENDPOINT, StandardAddressPolicy.LOWEST_FREE, i, 0)
              .orElseThrow()
              .block();
    }
    b = store.write(b, false);
    String key = Keys.block(pool, block);
    // a chunk is not a block
    assertThatThrownBy(() -> StateCodec.decodeBlock(key + "/0", store.data.get(key + "/0")))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("a chunk of a block");
    // a missing chunk, a chunk whose counts differ from the summary
    Map<String, byte[]> missing = new HashMap<>(store.data);
    missing.remove(key + "/1");
    Block m =
        StateCodec.decodeBlock(key, store.data.get(key), k -> Optional.ofNullable(missing.get(k)));
    assertThatThrownBy(m::allocations)
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining(key + "/1");
    Map<String, byte[]> swapped = new HashMap<>(store.data);
    swapped.put(key + "/1", store.data.get(key + "/0"));
    Block s =
        StateCodec.decodeBlock(key, store.data.get(key), k -> Optional.ofNullable(swapped.get(k)));
    assertThatThrownBy(s::allocations).isInstanceOf(StoreCorruptException.class);
    // a summary without a chunk source says so rather than answering
    Block unbound = StateCodec.decodeBlock(key, store.data.get(key));
    assertThat(unbound.size()).isEqualTo(200);
    assertThatThrownBy(unbound::allocations).isInstanceOf(IllegalStateException.class);
    // truncated summary
    byte[] sum = store.data.get(key);
    assertThatThrownBy(
            () -> StateCodec.decodeBlock(key, java.util.Arrays.copyOf(sum, sum.length - 1)))
        .isInstanceOf(StoreCorruptException.class);
  }

  /**
   * Optimistic transactions over a key → (value, revision) map, as the stores run them: every key
   * read is compared at commit. Two writers of different chunks of one block, interleaved: the
   * second commit fails on the summary both changed, its re-run sees the first's allocation,
   * nothing is lost.
   */
  @Property(tries = 100)
  void twoWritersOfDifferentChunksLoseNothing(@ForAll("interleavings") List<Boolean> order) {
    IpPrefix pool = IpPrefix.parse("fd00:6::/64");
    IpPrefix block = IpPrefix.parse("fd00:6::/112");
    String key = Keys.block(pool, block);
    CasMap store = new CasMap();
    store.commit(
        store.begin(),
        BlockCodec.write(Block.empty(pool, block, Optional.empty(), Holder.of("h1"))),
        key);
    // writer A takes addresses in chunk 1, writer B in chunk 3; each op is read, then committed
    // later
    int[] next = {128, 3 * 128};
    List<IpAddress> expected = new ArrayList<>();
    CasMap.View[] open = new CasMap.View[2];
    Block[] changed = new Block[2];
    IpAddress[] pending = new IpAddress[2];
    int conflicts = 0;
    for (boolean a : order) {
      int w = a ? 0 : 1;
      if (open[w] == null) {
        CasMap.View v = store.begin();
        Block b = StateCodec.decodeBlock(key, v.get(key).orElseThrow(), v::get);
        pending[w] = block.addressAt(next[w]);
        changed[w] =
            b.take(pending[w], Holder.parse(w == 0 ? "hA" : "hB"), AddressKind.ENDPOINT, 1, 0);
        open[w] = v;
      } else {
        if (store.commit(open[w], BlockCodec.write(changed[w]), key)) {
          expected.add(pending[w]);
          next[w]++;
        } else {
          conflicts++;
        }
        open[w] = null;
      }
    }
    Block end =
        StateCodec.decodeBlock(
            key, store.values().get(key), k -> Optional.ofNullable(store.values().get(k)));
    assertThat(end.allocations().keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(end.size()).isEqualTo(expected.size());
    // each writer's own addresses, in order: nothing skipped, nothing lost
    assertThat(expected.size() + conflicts).isLessThanOrEqualTo(order.size() / 2 + 1);
  }

  @Provide
  Arbitrary<List<Boolean>> interleavings() {
    return Arbitraries.of(true, false).list().ofMinSize(2).ofMaxSize(60);
  }

  @Test
  void overlappingWritersOfDifferentChunksConflictOnTheSummary() {
    IpPrefix pool = IpPrefix.parse("fd00:6::/64");
    IpPrefix block = IpPrefix.parse("fd00:6::/112");
    String key = Keys.block(pool, block);
    CasMap store = new CasMap();
    store.commit(
        store.begin(),
        BlockCodec.write(Block.empty(pool, block, Optional.empty(), Holder.of("h1"))),
        key);
    CasMap.View va = store.begin();
    CasMap.View vb = store.begin();
    Block a =
        StateCodec.decodeBlock(key, va.get(key).orElseThrow(), va::get)
            .take(block.addressAt(130), Holder.parse("hA"), AddressKind.ENDPOINT, 1, 0);
    Block b =
        StateCodec.decodeBlock(key, vb.get(key).orElseThrow(), vb::get)
            .take(block.addressAt(400), Holder.parse("hB"), AddressKind.ENDPOINT, 1, 0);
    assertThat(store.commit(va, BlockCodec.write(a), key)).isTrue();
    assertThat(store.commit(vb, BlockCodec.write(b), key))
        .as("B read the summary A changed")
        .isFalse();
    CasMap.View again = store.begin();
    Block b2 =
        StateCodec.decodeBlock(key, again.get(key).orElseThrow(), again::get)
            .take(block.addressAt(400), Holder.parse("hB"), AddressKind.ENDPOINT, 1, 0);
    assertThat(store.commit(again, BlockCodec.write(b2), key)).isTrue();
    Block end =
        StateCodec.decodeBlock(
            key, store.values().get(key), k -> Optional.ofNullable(store.values().get(k)));
    assertThat(end.allocations().keySet())
        .containsExactly(block.addressAt(130), block.addressAt(400));
  }

  /** A minimal optimistic store: values with revisions, views that record what they read. */
  static final class CasMap {
    private final TreeMap<String, byte[]> data = new TreeMap<>();
    private final TreeMap<String, Long> revs = new TreeMap<>();
    private long rev;

    final class View {
      final Map<String, Long> read = new HashMap<>();

      Optional<byte[]> get(String k) {
        read.put(k, revs.getOrDefault(k, 0L));
        return Optional.ofNullable(data.get(k)).map(byte[]::clone);
      }
    }

    View begin() {
      return new View();
    }

    Map<String, byte[]> values() {
      return data;
    }

    boolean commit(View v, BlockWrite w, String key) {
      for (var e : v.read.entrySet()) {
        if (revs.getOrDefault(e.getKey(), 0L).longValue() != e.getValue()) {
          return false;
        }
      }
      rev++;
      for (var e : w.chunkPuts().entrySet()) {
        data.put(e.getKey(), e.getValue());
        revs.put(e.getKey(), rev);
      }
      for (String d : w.chunkDeletes()) {
        data.remove(d);
        revs.remove(d);
      }
      if (w.valueChanged()) {
        data.put(key, w.value());
        revs.put(key, rev);
      }
      return true;
    }
  }
}
