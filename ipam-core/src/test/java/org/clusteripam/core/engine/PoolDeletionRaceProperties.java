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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.testing.Interleaver;
import org.clusteripam.core.testing.LaggingStateStore;

/**
 * Hosts joining, allocating in and leaving one shared named pool at the same time, every
 * interleaving of their store calls a schedule picks, on a store whose transactions read a lagging
 * cache (listings miss recent additions, as the etcd store's may): the pool is never deleted under
 * a holder and never leaked once nobody holds it. Deletions run in steps of 1 to 3 keys, so a join
 * or a leave can come between the steps of one.
 */
class PoolDeletionRaceProperties {
  enum Op {
    JOIN,
    LEAVE,
    ALLOC
  }

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  @Provide
  Arbitrary<List<List<Op>>> scripts() {
    return Arbitraries.of(Op.class)
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .list()
        .ofMinSize(2)
        .ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<Integer>> schedule() {
    return Arbitraries.integers().between(0, 5).list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 1000)
  void aSharedPoolIsNeitherDeletedUnderAHolderNorLeaked(
      @ForAll("scripts") List<List<Op>> scripts,
      @ForAll("schedule") List<Integer> picks,
      @ForAll("schedule") List<Integer> lags,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 3) int deleteBatch)
      throws InterruptedException {
    int[] lagAt = {0};
    LaggingStateStore store = new LaggingStateStore(() -> lags.get(lagAt[0]++ % lags.size()) % 4);
    Interleaver il = new Interleaver();
    IpamConfig cfg = IpamConfig.defaults();
    List<Optional<PoolId>> holding = new ArrayList<>();
    for (int i = 0; i < scripts.size(); i++) {
      HostId h = new HostId("h" + i);
      ClusterIpam e = new ClusterIpam(il.gate(store), cfg, CLOCK, deleteBatch);
      int me = i;
      holding.add(Optional.empty());
      List<Op> script = scripts.get(i);
      il.actor(
          () -> {
            for (Op op : script) {
              switch (op) {
                case JOIN ->
                    holding.set(
                        me,
                        Optional.of(
                            e.requestPool(
                                    new PoolRequest(
                                        h,
                                        "ClusterIpamLocal",
                                        Optional.empty(),
                                        Optional.empty(),
                                        Map.of("network", "blue"),
                                        false))
                                .id()));
                case LEAVE ->
                    holding
                        .get(me)
                        .ifPresent(
                            p -> {
                              e.releasePool(h, p);
                              holding.set(me, Optional.empty());
                            });
                case ALLOC ->
                    holding
                        .get(me)
                        .ifPresent(
                            p -> {
                              try {
                                e.requestAddress(
                                    new AddressRequest(
                                        h, p, Optional.empty(), AddressKind.ENDPOINT, Map.of()));
                              } catch (ExhaustedException | UnknownPoolException ex) {
                                throw new AssertionError(
                                    "a holder could not allocate in its pool: " + ex.getMessage(),
                                    ex);
                              }
                            });
              }
            }
          });
    }
    List<Throwable> failures = il.run(step -> picks.get(step % picks.size()) + step / picks.size());
    assertThat(failures).as("actors' failures").allMatch(f -> f == null);

    SortedMap<String, String> keys = store.contents();
    List<IpPrefix> held = new ArrayList<>();
    for (int i = 0; i < holding.size(); i++) {
      if (holding.get(i).isPresent()) {
        IpPrefix p =
            IpPrefix.parse(holding.get(i).get().value().substring("ClusterIpamLocal/".length()));
        held.add(p);
        assertThat(keys)
            .as("h%d holds %s; store %s", i, p, keys)
            .containsKey(Keys.holder(p, Holder.of("h" + i)));
        String rec = keys.get(Keys.pool(p));
        assertThat(rec).as("the pool record of %s held by h%d; store %s", p, i, keys).isNotNull();
        assertThat(StateCodec.decodePool(Keys.pool(p), rec.getBytes()).deleting())
            .as("left marked for deletion: %s", keys)
            .isFalse();
      }
    }
    for (String k : keys.keySet()) {
      if (k.startsWith(Keys.HOLDERS)
          || k.startsWith(Keys.AFFINITY)
          || k.startsWith(Keys.BLOCKS)
          || k.startsWith(Keys.POOLS)) {
        assertThat(held.stream().anyMatch(p -> k.contains(Keys.segment(p))))
            .as("key %s of a pool nobody holds (leaked); store %s", k, keys)
            .isTrue();
      }
    }
    // The pools are carved from the supernet: recorded in their carving ranges, not counted by
    // carve/v4 (which only guards pools outside the supernet).
    assertThat(keys.keySet().stream().filter(k -> k.startsWith("carve/")))
        .as("carve/ is never written by carving; store %s", keys)
        .isEmpty();
    for (IpPrefix p : held) {
      IpPrefix range = IpPrefix.containing(p.network(), 21);
      String rk = Keys.range(p.family(), range);
      assertThat(keys).as("the range of %s; store %s", p, keys).containsKey(rk);
      assertThat(StateCodec.decodeRange(rk, keys.get(rk).getBytes(), range, 24).pools())
          .as("the range of %s records it; store %s", p, keys)
          .contains(p);
    }
    if (held.isEmpty()) {
      assertThat(keys.keySet())
          .as("nothing held: nothing left but the config")
          .allMatch(k -> k.equals(Keys.CONFIG));
    }
  }
}
