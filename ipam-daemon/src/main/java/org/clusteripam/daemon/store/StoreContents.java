package org.clusteripam.daemon.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.clusteripam.core.state.BlockRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Versioned;

/**
 * One consistent, read-only snapshot of the pool and block records, decoded with ipam-core's codec,
 * each with the store revision of its last write. For {@code show}, {@code check}, metrics and
 * reconciliation; never written back.
 */
public record StoreContents(long revision, List<Pool> pools, List<Block> blocks) {
  public record Pool(PoolRecord record, long modRevision) {}

  public record Block(BlockRecord record, long modRevision) {}

  public StoreContents {
    pools = List.copyOf(pools);
    blocks = List.copyOf(blocks);
  }

  public static StoreContents read(StateStore store) {
    long revision = store.revision();
    SortedMap<String, Versioned> all = store.list(""); // one snapshot: pools and blocks agree
    List<Pool> pools = new ArrayList<>();
    List<Block> blocks = new ArrayList<>();
    for (Map.Entry<String, Versioned> e : all.entrySet()) {
      String key = e.getKey();
      long rev = e.getValue().modRevision();
      revision = Math.max(revision, rev);
      if (key.startsWith(Keys.POOLS) && !key.equals(Keys.POOL_INDEX)) {
        pools.add(new Pool(StateCodec.decodePool(key, e.getValue().value()), rev));
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
