package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.AffinityRecord;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.CarveRecord;
import org.clusteripam.core.state.CarvingConfig;
import org.clusteripam.core.state.HolderRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.Versioned;

/**
 * Migrates a schema-1 store to schema 2 in place, so that a crash at any point leaves a store both
 * versions can start on:
 *
 * <ol>
 *   <li>the schema-2 keys derived from the schema-1 pool records (holders, affinity, names, carve
 *       counters) are written beside them — schema 1 ignores those prefixes — and any left by an
 *       interrupted run that no longer derive are deleted;
 *   <li>one compare-and-swap flips {@code config} to schema 2 (with {@code "migrating": true}) if
 *       neither it nor {@code pools/index} changed since the listing; schema-1 binaries refuse the
 *       store from here on;
 *   <li>every schema-1 value left (pool records, the index, blocks, hosts, mappings, catalog) is
 *       rewritten or deleted, each by a compare-and-swap, then the {@code migrating} flag goes.
 * </ol>
 *
 * Schema 2 reads schema-1 pool records and the records whose shape did not change, so a store
 * between steps 2 and 3 works; a restart redoes an interrupted step. Every daemon of the cluster
 * must run schema 2 before it starts: a schema-1 daemon still running after the flip gets errors.
 */
public final class SchemaMigration {
  /** Writes per transaction: etcd's default --max-txn-ops is 128. */
  static final int CHUNK = 100;

  private SchemaMigration() {}

  /** What a call did (counts of keys), for logs and tests. */
  public record Report(boolean flipped, int written, int deleted, int rewritten) {
    static final Report NOTHING = new Report(false, 0, 0, 0);
  }

  /**
   * Migrates {@code store} if it is schema 1, or finishes an interrupted migration; a no-op
   * otherwise.
   */
  public static Report migrate(StateStore store, long nowMillis) {
    Optional<Versioned> config = Optional.ofNullable(store.list(Keys.CONFIG).get(Keys.CONFIG));
    if (config.isEmpty()) {
      return Report.NOTHING;
    }
    byte[] cfg = config.get().value();
    int schema = StateCodec.schemaOf(Keys.CONFIG, cfg);
    if (schema == StateCodec.SCHEMA) {
      return StateCodec.migrating(cfg) ? finish(store, new Report(false, 0, 0, 0)) : Report.NOTHING;
    }
    SortedMap<String, Versioned> all = store.list("");
    byte[] index = all.containsKey(Keys.POOL_INDEX_V1) ? all.get(Keys.POOL_INDEX_V1).value() : null;
    TreeMap<String, byte[]> derived = derive(all);
    List<Map.Entry<String, byte[]>> puts = new ArrayList<>();
    List<String> deletes = new ArrayList<>();
    for (String prefix : List.of(Keys.HOLDERS, Keys.AFFINITY, Keys.NAMES, Keys.CARVE)) {
      for (String k : all.subMap(prefix, prefix + Character.MAX_VALUE).keySet()) {
        if (!derived.containsKey(k)) {
          deletes.add(k);
        }
      }
    }
    derived.forEach(
        (k, v) -> {
          Versioned old = all.get(k);
          if (old == null || !Arrays.equals(old.value(), v)) {
            puts.add(Map.entry(k, v));
          }
        });
    for (int i = 0; i < puts.size(); i += CHUNK) {
      List<Map.Entry<String, byte[]>> chunk = puts.subList(i, Math.min(puts.size(), i + CHUNK));
      store.transact(
          "migrate.write",
          v -> {
            chunk.forEach(e -> v.put(e.getKey(), e.getValue()));
            return null;
          });
    }
    for (int i = 0; i < deletes.size(); i += CHUNK) {
      List<String> chunk = deletes.subList(i, Math.min(deletes.size(), i + CHUNK));
      store.transact(
          "migrate.clear",
          v -> {
            chunk.forEach(v::delete);
            return null;
          });
    }
    CarvingConfig carving = StateCodec.decodeConfig(Keys.CONFIG, cfg);
    boolean flipped =
        store.transact(
            "migrate.flip",
            v -> {
              Optional<byte[]> c = v.get(Keys.CONFIG);
              Optional<byte[]> idx = v.get(Keys.POOL_INDEX_V1);
              if (c.isEmpty()
                  || !Arrays.equals(c.get(), cfg)
                  || !Arrays.equals(idx.orElse(null), index)) {
                return false;
              }
              v.put(Keys.CONFIG, StateCodec.encode(carving, true));
              return true;
            });
    if (!flipped) {
      throw new StoreConflictException(
          "the schema-1 store changed while it was being migrated (is a schema-1 daemon still running?); start again");
    }
    return finish(store, new Report(true, puts.size(), deletes.size(), 0));
  }

  /** The schema-2 keys a schema-1 store implies, from its pool records and blocks. */
  static TreeMap<String, byte[]> derive(SortedMap<String, Versioned> all) {
    TreeMap<String, byte[]> out = new TreeMap<>();
    TreeMap<IpFamily, Long> counts = new TreeMap<>();
    for (Map.Entry<String, Versioned> e :
        all.subMap(Keys.POOLS, Keys.POOLS + Character.MAX_VALUE).entrySet()) {
      if (e.getKey().equals(Keys.POOL_INDEX_V1)) {
        continue;
      }
      StateCodec.Schema1Pool p = StateCodec.decodePoolSchema1(e.getKey(), e.getValue().value());
      IpPrefix prefix = p.pool().prefix();
      counts.merge(prefix.family(), 1L, Long::sum);
      for (String h : p.holders()) {
        Holder holder = StateView.stored(e.getKey(), h);
        Optional<Long> replay =
            Holder.GLOBAL.equals(holder)
                ? Optional.empty()
                : Optional.ofNullable(p.replayFrom().get(h));
        out.put(Keys.holder(prefix, holder), StateCodec.encode(new HolderRecord(holder, replay)));
      }
      p.pool()
          .name()
          .ifPresent(n -> out.put(Keys.name(prefix.family(), n), StateCodec.encodeName(prefix)));
      TreeMap<Holder, TreeSet<IpPrefix>> owned = new TreeMap<>();
      String blocks = Keys.blocksOf(prefix);
      for (Map.Entry<String, Versioned> b :
          all.subMap(blocks, blocks + Character.MAX_VALUE).entrySet()) {
        if (Keys.isBlockChunk(b.getKey())) {
          continue; // only the block's own value says its owner
        }
        Block blk = StateCodec.decodeBlock(b.getKey(), b.getValue().value());
        blk.owner().ifPresent(o -> owned.computeIfAbsent(o, k -> new TreeSet<>()).add(blk.block()));
      }
      owned.forEach(
          (o, bs) ->
              out.put(Keys.affinity(prefix, o), StateCodec.encode(new AffinityRecord(o, bs))));
    }
    counts.forEach((f, n) -> out.put(Keys.carve(f), StateCodec.encode(CarveRecord.legacy(n, n))));
    return out;
  }

  /**
   * After the flip: every schema-1 value is rewritten (or the index deleted), then the flag goes.
   */
  private static Report finish(StateStore store, Report soFar) {
    List<String> old = new ArrayList<>();
    for (Map.Entry<String, Versioned> e : store.list("").entrySet()) {
      if (!e.getKey().equals(Keys.CONFIG) && isSchema1(e.getValue().value())) {
        old.add(e.getKey());
      }
    }
    int rewritten = 0;
    for (int i = 0; i < old.size(); i += CHUNK) {
      List<String> chunk = old.subList(i, Math.min(old.size(), i + CHUNK));
      rewritten +=
          store.transact(
              "migrate.rewrite",
              v -> {
                int n = 0;
                for (String k : chunk) {
                  Optional<byte[]> cur = v.get(k);
                  if (cur.isEmpty() || !isSchema1(cur.get())) {
                    continue;
                  }
                  if (k.equals(Keys.POOL_INDEX_V1)) {
                    v.delete(k);
                    n++;
                  } else {
                    byte[] next = reencode(k, cur.get());
                    if (next != cur.get()) {
                      v.put(k, next);
                      n++;
                    }
                  }
                }
                return n;
              });
    }
    store.transact(
        "migrate.done",
        v -> {
          Optional<byte[]> c = v.get(Keys.CONFIG);
          if (c.isPresent() && StateCodec.migrating(c.get())) {
            v.put(
                Keys.CONFIG,
                StateCodec.encode(StateCodec.decodeConfig(Keys.CONFIG, c.get()), false));
          }
          return null;
        });
    return new Report(soFar.flipped(), soFar.written(), soFar.deleted(), rewritten);
  }

  private static boolean isSchema1(byte[] value) {
    // Every schema-1 value starts {"schema":1, (the codec writes the field first); anything else is
    // left to the strict decoders.
    byte[] head = "{\"schema\":1,".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return value.length >= head.length && Arrays.equals(Arrays.copyOf(value, head.length), head);
  }

  private static byte[] reencode(String key, byte[] v) {
    if (key.startsWith(Keys.POOLS)) {
      return StateCodec.encode(StateCodec.decodePool(key, v));
    }
    if (key.startsWith(Keys.BLOCKS)) {
      return StateCodec.encode(StateCodec.decodeBlock(key, v));
    }
    if (key.startsWith(Keys.HOSTS)) {
      return StateCodec.encode(StateCodec.decodeHost(key, v));
    }
    if (key.startsWith(Keys.PLACEHOLDERS)) {
      return StateCodec.encode(StateCodec.decodeMapping(key, v));
    }
    if (key.startsWith(Keys.CATALOG)) {
      return StateCodec.encode(StateCodec.decodeCatalog(key, v));
    }
    return v; // a foreign key: not ours to change
  }
}
