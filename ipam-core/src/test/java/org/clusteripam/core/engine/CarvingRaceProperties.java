package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.alloc.CarvingRange;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.CarveRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.testing.Interleaver;
import org.clusteripam.core.testing.LaggingStateStore;
import org.clusteripam.core.testing.LegacyCarvingScenario;

/**
 * Hosts carving dynamic pools, requesting explicit subnets (inside and outside the supernet, of
 * several lengths), joining one shared subnet and releasing, every interleaving a schedule picks,
 * on a store whose transactions read a lagging cache — optionally one an earlier build carved
 * (pools recorded only under {@code carve/v4}), converted by the first creations while others run:
 * no two pools ever overlap, every pool is recorded in each carving range it overlaps, and no range
 * records a pool that is gone.
 */
class CarvingRaceProperties {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  /** 32 /24 pools in 4 carving ranges of 8 (/21). */
  static final IpamConfig CONFIG =
      IpamConfig.builder().supernet(IpPrefix.parse("10.80.0.0/19")).build();

  static final List<IpPrefix> EXPLICIT =
      List.of(
          p("10.80.0.0/24"),
          p("10.80.3.0/24"),
          p("10.80.8.0/22"),
          p("10.80.16.0/20"),
          p("10.80.5.128/25"),
          p("172.16.0.0/16"),
          p("172.16.4.0/24"),
          p("10.0.0.0/8"));

  static final IpPrefix SHARED = p("10.80.12.0/24");

  /** What an earlier build left: two carved pools and one outside the supernet, held by "old". */
  static final List<IpPrefix> LEGACY =
      List.of(p("10.80.0.0/24"), p("10.80.9.0/24"), p("172.16.0.0/16"));

  static IpPrefix p(String s) {
    return IpPrefix.parse(s);
  }

  /** CARVE, SHARED, RELEASE, or an index into EXPLICIT. */
  @Provide
  Arbitrary<List<List<Integer>>> scripts() {
    return Arbitraries.integers()
        .between(-3, EXPLICIT.size() - 1)
        .list()
        .ofMinSize(1)
        .ofMaxSize(5)
        .list()
        .ofMinSize(2)
        .ofMaxSize(4);
  }

  @Provide
  Arbitrary<List<Integer>> schedule() {
    return Arbitraries.integers().between(0, 5).list().ofMinSize(1).ofMaxSize(60);
  }

  static final int CARVE = -1;
  static final int SHARE = -2;
  static final int RELEASE = -3;

  @Property(tries = 400)
  void poolsNeverOverlapAndRangesRecordExactlyThePools(
      @ForAll("scripts") List<List<Integer>> scripts,
      @ForAll("schedule") List<Integer> picks,
      @ForAll("schedule") List<Integer> lags,
      @ForAll boolean legacy)
      throws InterruptedException {
    int[] lagAt = {0};
    LaggingStateStore store = new LaggingStateStore(() -> lags.get(lagAt[0]++ % lags.size()) % 4);
    Interleaver il = new Interleaver();
    List<ClusterIpam> engines = new ArrayList<>();
    for (int i = 0; i < scripts.size(); i++) {
      engines.add(new ClusterIpam(il.gate(store), CONFIG, CLOCK));
    }
    if (legacy) {
      seedLegacy(store); // after the engines started: their first creations convert the store
    }
    List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    Map<IpPrefix, String> live = new java.util.concurrent.ConcurrentHashMap<>();
    for (int i = 0; i < scripts.size(); i++) {
      HostId h = new HostId("h" + i);
      ClusterIpam e = engines.get(i);
      List<Integer> script = scripts.get(i);
      il.actor(
          () -> {
            List<PoolGrant> mine = new ArrayList<>();
            for (int op : script) {
              if (op == RELEASE) {
                if (!mine.isEmpty()) {
                  PoolGrant g = mine.remove(mine.size() - 1);
                  e.releasePool(h, g.id());
                  if (mine.stream().noneMatch(x -> x.pool().equals(g.pool()))) {
                    live.remove(g.pool(), h.value());
                  }
                }
                continue;
              }
              Optional<IpPrefix> subnet =
                  op == CARVE
                      ? Optional.empty()
                      : Optional.of(op == SHARE ? SHARED : EXPLICIT.get(op));
              if (subnet.isPresent()
                  && mine.stream().anyMatch(x -> x.pool().equals(subnet.get()))) {
                continue; // a second endpoint network on the same subnet: not this test's subject
              }
              PoolGrant g;
              try {
                g =
                    e.requestPool(
                        new PoolRequest(
                            h,
                            "ClusterIpamLocal",
                            subnet,
                            Optional.empty(),
                            op == SHARE ? Map.of("network", "blue") : Map.of(),
                            false));
              } catch (ConflictException | ExhaustedException refused) {
                continue; // it overlaps a pool, or the supernet is full: refused, nothing written
              }
              if (op == CARVE && live.containsKey(g.pool())) {
                violations.add(h + " carved " + g.pool() + " held by " + live.get(g.pool()));
              }
              for (IpPrefix q : live.keySet()) {
                if (!q.equals(g.pool()) && q.overlaps(g.pool())) {
                  violations.add(h + " got " + g.pool() + " overlapping live pool " + q);
                }
              }
              live.putIfAbsent(g.pool(), h.value());
              mine.add(g);
            }
          });
    }
    List<Throwable> failures = il.run(step -> picks.get(step % picks.size()) + step / picks.size());
    assertThat(failures).as("actors' failures").allMatch(f -> f == null);
    assertThat(violations).isEmpty();

    SortedMap<String, String> keys = store.contents();
    List<IpPrefix> pools = new ArrayList<>();
    keys.forEach(
        (k, v) -> {
          if (k.startsWith(Keys.POOLS)) {
            pools.add(StateCodec.decodePool(k, v.getBytes()).prefix());
          }
        });
    for (int a = 0; a < pools.size(); a++) {
      for (int b = a + 1; b < pools.size(); b++) {
        assertThat(pools.get(a).overlaps(pools.get(b)))
            .as("%s and %s both stored; store %s", pools.get(a), pools.get(b), keys)
            .isFalse();
      }
    }
    if (legacy) {
      assertThat(pools).as("the earlier build's pools stay").containsAll(LEGACY);
    }
    // Each range lists exactly the stored pools that overlap it.
    org.clusteripam.core.alloc.CarvingRanges rs =
        org.clusteripam.core.alloc.CarvingRanges.of(CONFIG.carving().v4()).orElseThrow();
    TreeMap<IpPrefix, TreeSet<IpPrefix>> expected = new TreeMap<>();
    for (IpPrefix p : pools) {
      for (IpPrefix r : rs.overlapped(p)) {
        expected.computeIfAbsent(r, x -> new TreeSet<>()).add(p);
      }
    }
    boolean converted =
        !keys.containsKey("carve/v4")
            || StateCodec.decodeCarve("carve/v4", keys.get("carve/v4").getBytes()).ranges();
    TreeMap<IpPrefix, TreeSet<IpPrefix>> recorded = new TreeMap<>();
    keys.forEach(
        (k, v) -> {
          if (k.startsWith(Keys.rangesOf(IpFamily.IPV4))) {
            IpPrefix r = Keys.parseSegment(k.substring(Keys.rangesOf(IpFamily.IPV4).length()));
            CarvingRange cr = StateCodec.decodeRange(k, v.getBytes(), r, 24);
            assertThat(cr.pools()).as("an empty range record %s; store %s", k, keys).isNotEmpty();
            recorded.put(r, new TreeSet<>(cr.pools()));
          }
        });
    if (converted) {
      assertThat(recorded).as("ranges vs pools; store %s", keys).isEqualTo(expected);
      long outside = pools.stream().filter(p -> !rs.supernet().contains(p)).count();
      CarveRecord c =
          keys.containsKey("carve/v4")
              ? StateCodec.decodeCarve("carve/v4", keys.get("carve/v4").getBytes())
              : CarveRecord.EMPTY;
      assertThat(c.pools())
          .as("carve/v4 counts the pools outside; store %s", keys)
          .isEqualTo(outside);
    } else {
      // Nobody created a pool (only creations convert): the ranges record only pools that exist.
      recorded.forEach(
          (r, in) ->
              assertThat(expected.getOrDefault(r, new TreeSet<>()))
                  .as("range %s; store %s", r, keys)
                  .containsAll(in));
    }
  }

  static void seedLegacy(LaggingStateStore store) {
    LegacyCarvingScenario.writeLegacy(store, LEGACY, LEGACY.size(), 9);
  }
}
