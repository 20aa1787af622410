package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.alloc.CarvingRange;
import org.clusteripam.core.alloc.CarvingRanges;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.CarveRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Versioned;

/**
 * Converts a store whose {@code carve/<family>} was written by a build from before carving ranges:
 * records every pool that overlaps the supernet in the ranges it overlaps (unclaimed ones stay
 * unclaimed, any host may claim them and carves around those pools), then rewrites the guard to
 * count only the pools outside the supernet — if it is still the value the listing was taken at (an
 * earlier build still running bumps it with every creation and deletion: then again). Each step is
 * its own transaction and only adds what is true, so a crash or a concurrent conversion by another
 * node at any point leaves a store both can continue from; until the guard is rewritten no creation
 * carves.
 */
final class CarvingUpgrade {
  /** Pool and range keys one conversion transaction reads (well under etcd's 128 operations). */
  private static final int BATCH = 48;

  private static final int ROUNDS = 8;

  private CarvingUpgrade() {}

  /** Converts every family that needs it; whether all are converted. */
  static boolean run(StateStore store, IpamConfig config, DecodeCache cache) {
    boolean all = true;
    for (IpFamily f : IpFamily.values()) {
      all &= run(store, f, CarvingRanges.of(config.carving().family(f)), cache);
    }
    return all;
  }

  private static boolean run(
      StateStore store, IpFamily f, Optional<CarvingRanges> rs, DecodeCache cache) {
    String key = Keys.carve(f);
    for (int round = 0; round < ROUNDS; round++) {
      Optional<Versioned> guard = store.read(key);
      if (guard.isEmpty() || StateCodec.decodeCarve(key, guard.get().value()).ranges()) {
        return true;
      }
      byte[] seen = guard.get().value();
      CarveRecord old = StateCodec.decodeCarve(key, seen);
      long outside = 0;
      List<IpPrefix[]> pairs = new ArrayList<>(); // {pool, range}
      for (Map.Entry<String, Versioned> e : store.list(Keys.POOLS).entrySet()) {
        if (e.getKey().equals(Keys.POOL_INDEX_V1)) {
          continue;
        }
        PoolRecord r = cache.pool(e.getKey(), e.getValue().value());
        IpPrefix p = r.prefix();
        if (p.family() != f) {
          continue;
        }
        if (rs.isEmpty() || !rs.get().supernet().contains(p)) {
          outside++;
        }
        if (rs.isPresent()) {
          for (IpPrefix range : rs.get().overlapped(p)) {
            pairs.add(new IpPrefix[] {p, range});
          }
        }
      }
      for (int i = 0; i < pairs.size(); ) {
        SortedMap<IpPrefix, TreeSet<IpPrefix>> batch = new TreeMap<>();
        TreeSet<IpPrefix> pools = new TreeSet<>();
        while (i < pairs.size() && batch.size() < BATCH && pools.size() < BATCH) {
          batch.computeIfAbsent(pairs.get(i)[1], x -> new TreeSet<>()).add(pairs.get(i)[0]);
          pools.add(pairs.get(i)[0]);
          i++;
        }
        store.transact(
            "carving.upgrade",
            v -> {
              StateView sv = new StateView(v, cache);
              batch.forEach(
                  (range, in) -> {
                    int slot = rs.get().networkLength();
                    CarvingRange cur =
                        sv.range(f, range, slot).orElse(CarvingRange.unclaimed(range));
                    CarvingRange next = cur;
                    for (IpPrefix p : in) {
                      if (sv.poolRecord(p).isPresent()) { // deleted since the listing: not recorded
                        next = next.with(p);
                      }
                    }
                    if (!next.equals(cur)) {
                      sv.put(f, next, slot);
                    }
                  });
              return null;
            });
      }
      long count = outside;
      boolean done =
          store.transact(
              "carving.upgraded",
              v -> {
                Optional<byte[]> now = v.get(key);
                if (now.isEmpty() || !Arrays.equals(now.get(), seen)) {
                  return false;
                }
                v.put(key, StateCodec.encode(new CarveRecord(count, old.seq() + 1, true)));
                return true;
              });
      if (done) {
        return true;
      }
    }
    return false;
  }
}
