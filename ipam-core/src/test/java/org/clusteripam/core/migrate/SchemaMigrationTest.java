package org.clusteripam.core.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.engine.SchemaMigration;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * A schema-1 store (written by the schema-1 engine) migrated in place, also after a crash at every
 * step.
 */
public class SchemaMigrationTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-30T12:00:30Z"));
  static final IpamConfig CONFIG =
      IpamConfig.builder().cooldown(java.time.Duration.ofMinutes(10)).build();

  static IpPrefix p(String s) {
    return IpPrefix.parse(s);
  }

  /** What show reads, without the revision (which migration moves on). */
  static List<IpamQueries.SupernetView> view(StateStore s) {
    return new IpamQueries(s, CONFIG)
        .snapshot().supernets().stream()
            .map(
                sn ->
                    new IpamQueries.SupernetView(
                        sn.supernet(),
                        sn.networkLength(),
                        sn.poolSlots(),
                        sn.pools().stream().map(SchemaMigrationTest::unrevised).toList()))
            .toList();
  }

  /**
   * {@code p} with every revision 0 (the migration rewrites records with their contents unchanged).
   */
  private static IpamQueries.PoolView unrevised(IpamQueries.PoolView p) {
    java.util.TreeMap<org.clusteripam.core.ipam.Holder, Long> holders = new java.util.TreeMap<>();
    p.holders().forEach(h -> holders.put(h, 0L));
    List<IpamQueries.BlockView> blocks =
        p.blocks().stream()
            .map(
                b ->
                    new IpamQueries.BlockView(
                        b.block(), b.owner(), b.size(), b.used(), b.addresses(), b.cooling(), 0))
            .toList();
    return new IpamQueries.PoolView(
        p.prefix(),
        p.ipRange(),
        p.name(),
        p.dynamic(),
        holders,
        p.gateway(),
        p.size(),
        p.used(),
        blocks,
        p.placeholders(),
        p.mappings(),
        0);
  }

  /** The migrated store of the fixture, as the reference every crash run must reach. */
  public static TreeMap<String, String> migratedReference() {
    InMemoryStateStore s = new InMemoryStateStore();
    Schema1Fixture.load(s);
    IpamEngine.open(s, CONFIG, CLOCK);
    return Schema1Fixture.dump(s);
  }

  @Test
  void theFirstStartMigratesEveryRecordAndShowReadsTheSameBeforeAndAfter() {
    InMemoryStateStore s = new InMemoryStateStore();
    Schema1Fixture.load(s);
    var before = view(s);
    // 10.80.0.0/24, 10.94.0.0/24 and the IPv6 one
    assertThat(before.stream().mapToInt(v -> v.pools().size()).sum()).isEqualTo(3);
    IpamEngine.open(s, CONFIG, CLOCK);
    TreeMap<String, String> after = Schema1Fixture.dump(s);
    assertThat(view(s)).isEqualTo(before);
    assertThat(after).doesNotContainKey(Keys.POOL_INDEX_V1);
    after.forEach(
        (k, v) -> assertThat(StateCodec.schemaOf(k, Schema1Fixture.bytes(v))).as(k).isEqualTo(2));
    assertThat(StateCodec.migrating(after.get(Keys.CONFIG).getBytes(StandardCharsets.UTF_8)))
        .isFalse();
    // holders, with h2's replay time; the swarm allocator's own key
    assertThat(after.keySet())
        .contains(
            Keys.holder(p("10.80.0.0/24"), Holder.parse("h1")),
            Keys.holder(p("10.80.0.0/24"), Holder.parse("h2")),
            Keys.holder(p("10.94.0.0/24"), Holder.parse("@global")),
            Keys.holder(p("10.7.0.0/24"), Holder.parse("@global")),
            Keys.holder(p("10.7.0.0/24"), Holder.parse("h1")));
    assertThat(
            StateCodec.decodeHolder(
                    "k",
                    after
                        .get(Keys.holder(p("10.80.0.0/24"), Holder.parse("h2")))
                        .getBytes(StandardCharsets.UTF_8))
                .replayFrom())
        .contains(1796040005000L);
    assertThat(after)
        .containsKey(Keys.affinity(p("10.94.0.0/24"), Holder.parse("@global")))
        .doesNotContainKey(Keys.affinityOf(p("10.80.0.0/24")));
    assertThat(
            StateCodec.decodeName(
                "k",
                after
                    .get(Keys.name(org.clusteripam.core.net.IpFamily.IPV4, "blue"))
                    .getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(p("10.80.0.0/24"));
    // The engines' start converted the carving: the pools inside the supernets are recorded in
    // their carving ranges, carve/ counts those outside (10.7.0.0/24 and 10.94.0.0/24).
    assertThat(StateCodec.decodeCarve("k", after.get("carve/v4").getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new org.clusteripam.core.state.CarveRecord(2, 5, true));
    assertThat(
            StateCodec.decodeCarve("k", after.get("carve/v6").getBytes(StandardCharsets.UTF_8))
                .pools())
        .isEqualTo(0);
    assertThat(after).containsKey("ranges/v4/10.80.0.0-21").containsKey("ranges/v6/fd80:cafe::-61");
    // A second start changes nothing.
    assertThat(SchemaMigration.migrate(s, CLOCK.millis()))
        .isEqualTo(new SchemaMigration.Report(false, 0, 0, 0));
    assertThat(Schema1Fixture.dump(s)).isEqualTo(after);
  }

  @Test
  void theMigratedStoreKeepsEveryBehaviour() {
    InMemoryStateStore s = new InMemoryStateStore();
    Schema1Fixture.load(s);
    HostId h1 = new HostId("h1");
    HostId h2 = new HostId("h2");
    IpamEngine e1 = IpamEngine.open(s, CONFIG, CLOCK);
    IpamEngine e2 = IpamEngine.open(s, CONFIG, CLOCK);
    // The shared name finds its pool; h2's replay window (opened 25 s ago) still holds.
    PoolId blue =
        e2.driver()
            .requestPool(
                new PoolRequest(
                    h2,
                    "ClusterIpamLocal",
                    Optional.empty(),
                    Optional.empty(),
                    Map.of("network", "blue"),
                    false))
            .id();
    assertThat(blue.value()).isEqualTo("ClusterIpamLocal/10.80.0.0/24");
    IpAddress a =
        e2.driver()
            .requestAddress(
                new AddressRequest(h2, blue, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
            .address();
    assertThat(p("10.80.0.192/26").contains(a)).as("h2 allocates in its own block: %s", a).isTrue();
    // A cooling address is not handed out again; the static pool's ip-range holds.
    PoolId st = new PoolId("ClusterIpamLocal/10.6.0.0/16");
    IpAddress b =
        e1.driver()
            .requestAddress(
                new AddressRequest(h1, st, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
            .address();
    assertThat(b).isNotEqualTo(IpAddress.parse("10.6.5.64"));
    assertThat(p("10.6.5.0/24").contains(b)).isTrue();
    assertThatThrownBy(
            () ->
                e1.driver()
                    .requestAddress(
                        new AddressRequest(
                            h1,
                            st,
                            Optional.of(IpAddress.parse("10.6.5.65")),
                            AddressKind.ENDPOINT,
                            Map.of())))
        .isInstanceOf(ConflictException.class);
    // Per-host: mappings, the catalog and the hosts' VIPs are there; the load balancer plan is
    // unchanged.
    assertThat(e1.perHost().placeholderMappings(p("10.94.0.0/24"))).hasSize(2);
    assertThat(e1.perHost().catalog(p("10.94.0.0/24"))).hasSize(1);
    assertThat(e1.perHost().perHostPools()).containsExactly(p("10.94.0.0/24"));
    assertThat(e2.perHost().serviceVips(h2, blue))
        .extracting(v -> v.serviceId())
        .containsExactly("svc1");
    assertThat(e1.perHost().lbDesiredState(h1)).isNotNull();
    // Every holder leaves: nothing is left of the pools.
    e1.driver().releasePool(h1, blue);
    e2.driver().releasePool(h2, blue);
    e1.driver().releasePool(h1, st);
    e1.driver().releasePool(h1, new PoolId("ClusterIpamLocal/fd80:cafe::/64"));
    e1.driver().releasePool(h1, new PoolId("ClusterIpamLocal/10.7.0.0/24"));
    e1.driver().releasePool(h1, new PoolId("ClusterIpamGlobal/10.7.0.0/24"));
    for (String h : List.of("h1", "h2")) {
      IpamEngine e = h.equals("h1") ? e1 : e2;
      e.driver().releasePool(new HostId(h), new PoolId("ClusterIpamLocal/10.94.0.0/24"));
    }
    e1.driver().releasePool(h1, new PoolId("ClusterIpamGlobal/10.94.0.0/24"));
    assertThat(Schema1Fixture.dump(s).keySet())
        .containsExactlyInAnyOrder(Keys.CONFIG, "carve/v4", "carve/v6");
  }

  @Test
  void aCrashAtAnyStepLeavesAStoreEitherVersionStartsOnAndTheNextStartFinishes() {
    TreeMap<String, String> v1 = Schema1Fixture.contents();
    TreeMap<String, String> reference = migratedReference();
    for (int commits = 0; ; commits++) {
      InMemoryStateStore s = new InMemoryStateStore();
      Schema1Fixture.load(s);
      boolean crashed;
      try {
        SchemaMigration.migrate(new CrashingStore(s, commits), CLOCK.millis());
        crashed = false;
      } catch (CrashingStore.Crash e) {
        crashed = true;
      }
      TreeMap<String, String> mid = Schema1Fixture.dump(s);
      int schema =
          StateCodec.schemaOf(Keys.CONFIG, mid.get(Keys.CONFIG).getBytes(StandardCharsets.UTF_8));
      if (schema == 1) {
        // Not flipped: the schema-1 keys are exactly as schema 1 left them (it ignores the others).
        TreeMap<String, String> v1Keys = new TreeMap<>(mid);
        v1Keys
            .keySet()
            .removeIf(
                k ->
                    k.startsWith(Keys.HOLDERS)
                        || k.startsWith(Keys.AFFINITY)
                        || k.startsWith(Keys.NAMES)
                        || k.startsWith(Keys.CARVE));
        assertThat(v1Keys).as("after %d commits", commits).isEqualTo(v1);
      } else {
        assertThat(view(s))
            .as("show after %d commits", commits)
            .isEqualTo(view(referenceStore(reference)));
      }
      IpamEngine.open(s, CONFIG, CLOCK);
      assertThat(Schema1Fixture.dump(s))
          .as("restarted after %d commits", commits)
          .isEqualTo(reference);
      if (!crashed) {
        assertThat(commits).as("the migration takes a few transactions").isGreaterThan(2);
        break;
      }
    }
  }

  static InMemoryStateStore referenceStore(TreeMap<String, String> contents) {
    InMemoryStateStore s = new InMemoryStateStore();
    s.transact(
        "load",
        v -> {
          contents.forEach((k, val) -> v.put(k, Schema1Fixture.bytes(val)));
          return null;
        });
    return s;
  }
}
