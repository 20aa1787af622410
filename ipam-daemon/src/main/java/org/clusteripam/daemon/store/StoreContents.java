package org.clusteripam.daemon.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Versioned;

/**
 * One consistent, read-only snapshot of the pool and block records, decoded with ipam-core's codec,
 * each with the store revision of its last write. For {@code show}, {@code check}, metrics and
 * reconciliation; never written back. Reads a store of either schema (a schema-1 store keeps its
 * holders in the pool record, schema 2 in one {@code holders/<pool>/<holder>} key each).
 */
public record StoreContents(long revision, List<Pool> pools, List<Block> blocks) {
  /**
   * @param holders each holder with the revision of its holding (its holder key's last write; in
   *     schema 1, the pool record's)
   */
  public record Pool(PoolRecord record, SortedMap<String, Long> holders, long modRevision) {
    /** The revision of {@code holder}'s holding, or the pool record's when it holds none. */
    public long modRevisionFor(String holder) {
      return Math.max(modRevision, holders.getOrDefault(holder, 0L));
    }
  }

  public record Block(org.clusteripam.core.state.Block record, long modRevision) {}

  public StoreContents {
    pools = List.copyOf(pools);
    blocks = List.copyOf(blocks);
  }

  public static StoreContents read(StateStore store) {
    long revision = store.revision();
    SortedMap<String, Versioned> all = store.list(""); // one snapshot: pools and blocks agree
    List<Pool> pools = new ArrayList<>();
    List<Block> blocks = new ArrayList<>();
    Versioned cfg = all.get(Keys.CONFIG);
    boolean schema1 = cfg != null && StateCodec.schemaOf(Keys.CONFIG, cfg.value()) == StateCodec.SCHEMA_1;
    for (Map.Entry<String, Versioned> e : all.entrySet()) {
      String key = e.getKey();
      long rev = e.getValue().modRevision();
      revision = Math.max(revision, rev);
      if (key.startsWith(Keys.POOLS) && !key.equals(Keys.POOL_INDEX_V1)) {
        PoolRecord rec = StateCodec.decodePool(key, e.getValue().value());
        TreeMap<String, Long> holders = new TreeMap<>();
        if (schema1) {
          StateCodec.decodePoolSchema1(key, e.getValue().value()).holders().forEach(h -> holders.put(h, rev));
        } else {
          String prefix = Keys.holdersOf(rec.prefix());
          all.subMap(prefix, prefix + Character.MAX_VALUE).forEach((k, v) -> holders.put(k.substring(prefix.length()), v.modRevision()));
        }
        pools.add(new Pool(rec, holders, rev));
      } else if (key.startsWith(Keys.BLOCKS)) {
        blocks.add(new Block(StateCodec.decodeBlock(key, e.getValue().value()), rev));
      }
    }
    return new StoreContents(revision, pools, blocks);
  }

  /** The blocks of {@code pool}, in address order. */
  public List<Block> blocksOf(PoolRecord pool) {
    return blocks.stream().filter(b -> b.record().pool().equals(pool.prefix())).sorted((a, b) -> a.record().block().compareTo(b.record().block())).toList();
  }
}
