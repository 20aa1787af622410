package org.clusteripam.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.CarveRecord;
import org.clusteripam.core.state.HolderRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;

/**
 * A store as the build before carving ranges left it (carved pools, an explicit subnet inside the
 * supernet and one outside, all counted by {@code carve/v4}), then two hosts of this build on their
 * own connections: every pool they carve avoids the earlier ones, explicit subnets are still
 * checked against them, an earlier build writing again (a rolling upgrade) is converted again, and
 * everything the new hosts made goes when they release it. Run on each store kind.
 */
public final class LegacyCarvingScenario {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  /** 10.80.0.0/24 … 10.80.9.0/24 carved, 10.80.16.0/22 and 172.16.0.0/16 explicit. */
  public static final List<IpPrefix> LEGACY = new ArrayList<>();

  static {
    for (int i = 0; i < 10; i++) {
      LEGACY.add(IpPrefix.parse("10.80." + i + ".0/24"));
    }
    LEGACY.add(IpPrefix.parse("10.80.16.0/22"));
    LEGACY.add(IpPrefix.parse("172.16.0.0/16"));
  }

  private LegacyCarvingScenario() {}

  /** Writes the pools of {@code pools} as the earlier build did, and its counter. */
  public static void writeLegacy(StateStore s, List<IpPrefix> pools, long count) {
    writeLegacy(s, pools, count, count);
  }

  /** As above, with the earlier build's next carving index {@code next}. */
  public static void writeLegacy(StateStore s, List<IpPrefix> pools, long count, long next) {
    s.transact(
        "legacy",
        v -> {
          for (IpPrefix p : pools) {
            boolean dynamic = p.length() == 24 && p.toString().startsWith("10.80.");
            v.put(
                Keys.pool(p),
                StateCodec.encode(
                    new PoolRecord(
                        p,
                        Optional.empty(),
                        Optional.empty(),
                        dynamic,
                        Map.of(),
                        Math.max(26, p.length()),
                        Optional.empty())));
            v.put(
                Keys.holder(p, Holder.of("old")),
                StateCodec.encode(new HolderRecord(Holder.of("old"), Optional.empty())));
            v.put(Keys.hostPool(Holder.of("old"), p), StateCodec.encodeHostPool());
          }
          v.put(Keys.carve(IpFamily.IPV4), StateCodec.encode(CarveRecord.legacy(count, next)));
          return null;
        });
  }

  private static PoolRequest req(HostId h, Optional<IpPrefix> subnet) {
    return new PoolRequest(h, "ClusterIpamLocal", subnet, Optional.empty(), Map.of(), false);
  }

  /** {@code connect} opens a new connection to the same store (the first one loads the state). */
  public static void run(Supplier<StateStore> connect) {
    IpamConfig config = IpamConfig.defaults();
    try (StateStore s0 = connect.get();
        StateStore s1 = connect.get();
        StateStore s2 = connect.get()) {
      s0.transact("config", v -> null);
      IpamEngine.open(s0, config, CLOCK); // writes the config, nothing to convert yet
      writeLegacy(s0, LEGACY, LEGACY.size());
      DriverIpam e1 = IpamEngine.open(s1, config, CLOCK).driver();
      DriverIpam e2 = IpamEngine.open(s2, config, CLOCK).driver();
      HostId h1 = new HostId("h1");
      HostId h2 = new HostId("h2");
      List<PoolGrant> made = new ArrayList<>();
      List<Boolean> byFirst = new ArrayList<>();
      List<IpPrefix> all = new ArrayList<>(LEGACY);
      for (int i = 0; i < 24; i++) {
        boolean first = i % 2 == 0;
        PoolGrant g = (first ? e1 : e2).requestPool(req(first ? h1 : h2, Optional.empty()));
        for (IpPrefix q : all) {
          assertThat(q.overlaps(g.pool())).as("%s carved over %s", g.pool(), q).isFalse();
        }
        all.add(g.pool());
        made.add(g);
        byFirst.add(first);
      }
      CarveRecord c =
          StateCodec.decodeCarve(
              "carve/v4", s0.list(Keys.carve(IpFamily.IPV4)).get("carve/v4").value());
      assertThat(c)
          .as("converted: carve/v4 counts the pool outside")
          .isEqualTo(new CarveRecord(1, 13, true));
      assertThatThrownBy(
              () -> e1.requestPool(req(h1, Optional.of(IpPrefix.parse("10.80.17.0/24")))))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("10.80.16.0/22");
      assertThatThrownBy(
              () -> e2.requestPool(req(h2, Optional.of(IpPrefix.parse("172.16.9.0/24")))))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("172.16.0.0/16");
      assertThat(e1.requestPool(req(h1, Optional.of(LEGACY.get(3)))).pool())
          .as("an earlier pool is joined, as before")
          .isEqualTo(LEGACY.get(3));

      // An earlier build still running creates a pool: its counter is back in the old form.
      IpPrefix late = IpPrefix.parse("10.80.40.0/24");
      writeLegacy(s0, List.of(late), LEGACY.size() + 1 + made.size());
      PoolGrant after = e2.requestPool(req(h2, Optional.empty()));
      assertThat(after.pool().overlaps(late)).isFalse();
      made.add(after);
      byFirst.add(false);
      assertThat(
              StateCodec.decodeCarve(
                      "carve/v4", s0.list(Keys.carve(IpFamily.IPV4)).get("carve/v4").value())
                  .ranges())
          .as("converted again")
          .isTrue();
      assertThat(s0.list(Keys.range(IpFamily.IPV4, IpPrefix.parse("10.80.40.0/21"))))
          .as("the late pool is recorded in its range")
          .hasSize(1);

      for (int i = 0; i < made.size(); i++) {
        (byFirst.get(i) ? e1 : e2).releasePool(byFirst.get(i) ? h1 : h2, made.get(i).id());
      }
      e1.releasePool(h1, new org.clusteripam.core.ipam.PoolId("ClusterIpamLocal/" + LEGACY.get(3)));
      List<IpPrefix> earlier = new ArrayList<>(LEGACY);
      earlier.add(late);
      for (var e : s0.list(Keys.RANGES).entrySet()) {
        String rangesOf = Keys.rangesOf(IpFamily.IPV4);
        IpPrefix r = Keys.parseSegment(e.getKey().substring(rangesOf.length()));
        assertThat(StateCodec.decodeRange(e.getKey(), e.getValue().value(), r, 24).pools())
            .as("%s after the new hosts released their pools", e.getKey())
            .isNotEmpty()
            .allMatch(earlier::contains);
      }
    }
  }
}
