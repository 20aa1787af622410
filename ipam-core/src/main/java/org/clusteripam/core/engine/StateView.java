package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.state.AffinityRecord;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.CarveRecord;
import org.clusteripam.core.state.HolderRecord;
import org.clusteripam.core.state.HostRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.TxnView;

/** Typed, tracked access to the stored records inside one transaction. */
final class StateView {
  private final TxnView v;
  private final DecodeCache cache;

  StateView(TxnView v, DecodeCache cache) {
    this.v = v;
    this.cache = cache;
  }

  DecodeCache cache() {
    return cache;
  }

  // ---- pools

  /** The pool record as stored, with or without a deletion mark. */
  Optional<PoolRecord> poolRecord(IpPrefix p) {
    String key = Keys.pool(p);
    return v.get(key).map(b -> cache.pool(key, b));
  }

  /**
   * The pool, for a transaction of {@code holder} that may create keys under it: a pool marked for
   * deletion is gone unless {@code holder} still holds it (a deletion never removes a pool with a
   * holder, and a non-holder must not add keys the deletion would miss).
   */
  Optional<PoolRecord> pool(IpPrefix p, String holder) {
    Optional<PoolRecord> r = poolRecord(p);
    if (r.isPresent() && r.get().deleting() && holder(p, holder).isEmpty()) {
      return Optional.empty();
    }
    return r;
  }

  /** The pool unless it is marked for deletion (for readers that create nothing). */
  Optional<PoolRecord> livePool(IpPrefix p) {
    return poolRecord(p).filter(r -> !r.deleting());
  }

  void put(PoolRecord r) {
    String key = Keys.pool(r.prefix());
    byte[] bytes = StateCodec.encode(r);
    v.put(key, bytes);
    cache.remember(key, bytes.clone(), r);
  }

  void deleteRaw(String key) {
    v.delete(key);
  }

  /**
   * Every pool of {@code family}, or null when the listing is incomplete: it holds fewer or more
   * pools than {@code carve/<family>} counts (a stale cache). The caller refreshes and re-runs. Not
   * tracked: the caller's tracked read and write of {@code carve/<family>}, which every creation and
   * deletion of the family bumps, fails the commit on any change of the set; tracking every pool key
   * would put one compare per pool into the transaction (etcd refuses more than 128).
   */
  List<PoolRecord> poolsOf(IpFamily family, CarveRecord carve) {
    List<PoolRecord> out = new ArrayList<>();
    for (var e : v.scan(Keys.POOLS).entrySet()) {
      PoolRecord r = cache.pool(e.getKey(), e.getValue());
      if (r.prefix().family() == family) {
        out.add(r);
      }
    }
    return out.size() == carve.pools() ? out : null;
  }

  /** Every pool, untracked: for read-only queries, whose transaction commits nothing. */
  List<PoolRecord> allPools() {
    List<PoolRecord> out = new ArrayList<>();
    v.scan(Keys.POOLS).forEach((k, b) -> out.add(cache.pool(k, b)));
    return out;
  }

  Optional<byte[]> carveBytes(IpFamily f) {
    return v.get(Keys.carve(f));
  }

  CarveRecord carve(IpFamily f) {
    return carveBytes(f).map(b -> StateCodec.decodeCarve(Keys.carve(f), b)).orElse(CarveRecord.EMPTY);
  }

  void putCarve(IpFamily f, CarveRecord c) {
    v.put(Keys.carve(f), StateCodec.encode(c));
  }

  Optional<IpPrefix> named(IpFamily f, String name) {
    String key = Keys.name(f, name);
    return v.get(key).map(b -> StateCodec.decodeName(key, b));
  }

  void putName(IpFamily f, String name, IpPrefix pool) {
    v.put(Keys.name(f, name), StateCodec.encodeName(pool));
  }

  // ---- holders

  Optional<HolderRecord> holder(IpPrefix pool, String holder) {
    String key = Keys.holder(pool, holder);
    return v.get(key).map(b -> StateCodec.decodeHolder(key, b));
  }

  void put(IpPrefix pool, HolderRecord h) {
    v.put(Keys.holder(pool, h.holder()), StateCodec.encode(h));
  }

  void deleteHolder(IpPrefix pool, String holder) {
    v.delete(Keys.holder(pool, holder));
  }

  /**
   * Whether a holder other than {@code holder} holds {@code pool}. Only the one other holder found
   * is read tracked, so the answer "yes" fails the commit if that holder leaves meanwhile, at one
   * compare however many hosts hold the pool. "No" may miss a holder that joined just now: the
   * deletion it leads to re-checks on a linearizable listing.
   */
  boolean otherHolder(IpPrefix pool, String holder) {
    String mine = Keys.holder(pool, holder);
    for (String k : v.scan(Keys.holdersOf(pool)).keySet()) {
      if (!k.equals(mine) && v.get(k).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** The holders of {@code pool} (each key tracked; one created by someone else is not seen). */
  List<String> holders(IpPrefix pool) {
    String prefix = Keys.holdersOf(pool);
    List<String> out = new ArrayList<>();
    v.list(prefix).keySet().forEach(k -> out.add(k.substring(prefix.length())));
    return out;
  }

  // ---- affinity

  AffinityRecord affinity(IpPrefix pool, String holder) {
    String key = Keys.affinity(pool, holder);
    return v.get(key).map(b -> StateCodec.decodeAffinity(key, b)).orElse(new AffinityRecord(holder, new TreeSet<>()));
  }

  void put(IpPrefix pool, AffinityRecord a) {
    String key = Keys.affinity(pool, a.holder());
    if (a.blocks().isEmpty()) {
      v.delete(key);
    } else {
      v.put(key, StateCodec.encode(a));
    }
  }

  /** Records that {@code owner} (unless none) owns {@code block}; written only when it changes. */
  void addAffinity(IpPrefix pool, String owner, IpPrefix block) {
    if (owner.isEmpty()) {
      return;
    }
    AffinityRecord a = affinity(pool, owner);
    if (!a.blocks().contains(block)) {
      put(pool, a.with(block));
    }
  }

  // ---- blocks

  Optional<Block> block(IpPrefix pool, IpPrefix block) {
    String key = Keys.block(pool, block);
    return v.get(key).map(b -> cache.block(key, b));
  }

  void put(Block r) {
    String key = Keys.block(r.pool(), r.block());
    byte[] bytes = StateCodec.encode(r);
    v.put(key, bytes); // the store copies or keeps it; the cache keeps its own copy
    cache.remember(key, bytes.clone(), r);
  }

  void deleteBlock(IpPrefix pool, IpPrefix block) {
    v.delete(Keys.block(pool, block));
  }

  /** Every block of {@code pool}, untracked: a hint; what is acted on is re-read with {@link #block}. */
  List<Block> scanBlocks(IpPrefix pool) {
    List<Block> out = new ArrayList<>();
    v.scan(Keys.blocksOf(pool)).forEach((k, b) -> out.add(cache.block(k, b)));
    return out;
  }

  /** Every block of {@code pool} (each key tracked). */
  List<Block> blocks(IpPrefix pool) {
    List<Block> out = new ArrayList<>();
    v.list(Keys.blocksOf(pool)).forEach((k, b) -> out.add(cache.block(k, b)));
    return out;
  }

  // ---- hosts

  /**
   * The pools {@code holder} holds: its keys {@code hosts/<holder>/<pool>} (each read tracked), and
   * those of a record {@code hosts/<holder>} written before one key per pool, until converted.
   */
  java.util.SortedSet<IpPrefix> hostPools(String holder) {
    TreeSet<IpPrefix> out = new TreeSet<>();
    String prefix = Keys.hostPoolsOf(holder);
    v.list(prefix).forEach((k, b) -> {
      StateCodec.decodeHostPool(k, b);
      try {
        out.add(Keys.parseSegment(k.substring(prefix.length())));
      } catch (IllegalArgumentException e) {
        throw new org.clusteripam.core.store.StoreCorruptException(k, "not a pool key: " + e.getMessage(), e);
      }
    });
    String legacy = Keys.host(holder);
    v.get(legacy).ifPresent(b -> out.addAll(StateCodec.decodeHost(legacy, b).pools()));
    return out;
  }

  /** Records that {@code holder} holds {@code p}: one key, whatever else it holds. */
  void addHostPool(String holder, IpPrefix p) {
    String key = Keys.hostPool(holder, p);
    if (v.get(key).isEmpty()) {
      v.put(key, StateCodec.encodeHostPool());
    }
  }

  /**
   * Records that {@code holder} no longer holds {@code p}. A record of every pool written by an
   * earlier build loses the pool too, and goes with its last one: such records only shrink.
   */
  void removeHostPool(String holder, IpPrefix p) {
    String key = Keys.hostPool(holder, p);
    if (v.get(key).isPresent()) {
      v.delete(key);
    }
    String legacy = Keys.host(holder);
    Optional<byte[]> old = v.get(legacy);
    if (old.isPresent()) {
      HostRecord h = StateCodec.decodeHost(legacy, old.get());
      if (h.pools().contains(p)) {
        TreeSet<IpPrefix> rest = new TreeSet<>(h.pools());
        rest.remove(p);
        if (rest.isEmpty()) {
          v.delete(legacy);
        } else {
          v.put(legacy, StateCodec.encode(new HostRecord(holder, rest)));
        }
      }
    }
  }

  // ---- per-host pools

  Optional<PlaceholderMapping> mapping(IpPrefix pool, IpAddress placeholder) {
    String key = Keys.placeholder(pool, placeholder);
    return v.get(key).map(b -> StateCodec.decodeMapping(key, b));
  }

  void put(PlaceholderMapping m) {
    v.put(Keys.placeholder(m.pool(), m.placeholder()), StateCodec.encode(m));
  }

  void deleteMapping(IpPrefix pool, IpAddress placeholder) {
    v.delete(Keys.placeholder(pool, placeholder));
  }

  /** Every mapping of {@code pool} (each key tracked). */
  List<PlaceholderMapping> mappings(IpPrefix pool) {
    List<PlaceholderMapping> out = new ArrayList<>();
    v.list(Keys.placeholdersOf(pool)).forEach((k, b) -> out.add(StateCodec.decodeMapping(k, b)));
    return out;
  }

  /** The catalog keys of {@code pool} with their encoded services (each key tracked). */
  SortedMap<String, byte[]> catalogBytes(IpPrefix pool) {
    return v.list(Keys.catalogOf(pool));
  }

  void putRaw(String key, byte[] value) {
    v.put(key, value);
  }

  /** Tracked raw read (the deletion re-reads keys a linearizable listing returned). */
  Optional<byte[]> getRaw(String key) {
    return v.get(key);
  }

  SortedMap<String, byte[]> listRaw(String prefix) {
    return new TreeMap<>(v.list(prefix));
  }
}
