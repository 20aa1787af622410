package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.alloc.CarvingRange;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.state.AffinityRecord;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.BlockCodec;
import org.clusteripam.core.state.BlockWrite;
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
    String key = cache.poolKey(p);
    return v.get(key).map(b -> cache.pool(key, b));
  }

  /**
   * The pool, for a transaction of {@code holder} that may create keys under it: a pool marked for
   * deletion is gone unless {@code holder} still holds it (a deletion never removes a pool with a
   * holder, and a non-holder must not add keys the deletion would miss).
   */
  Optional<PoolRecord> pool(IpPrefix p, Holder holder) {
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
    String key = cache.poolKey(r.prefix());
    byte[] bytes = StateCodec.encode(r);
    v.put(key, bytes);
    cache.remember(key, bytes.clone(), r);
  }

  void deleteRaw(String key) {
    v.delete(key);
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
    return carveBytes(f)
        .map(b -> StateCodec.decodeCarve(Keys.carve(f), b))
        .orElse(CarveRecord.EMPTY);
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

  // ---- carving ranges

  /**
   * Every carving range record of {@code f}, untracked: hints for choosing a range; the transaction
   * re-reads (tracked) the ones it acts on.
   */
  SortedMap<IpPrefix, CarvingRange> rangeHints(IpFamily f, int slotLength) {
    String prefix = Keys.rangesOf(f);
    TreeMap<IpPrefix, CarvingRange> out = new TreeMap<>();
    v.scan(prefix)
        .forEach(
            (k, b) -> {
              CarvingRange r = cache.range(k, b, prefix, slotLength);
              out.put(r.range(), r);
            });
    return out;
  }

  /** The record of one carving range (tracked: absent is compared too). */
  Optional<CarvingRange> range(IpFamily f, IpPrefix range, int slotLength) {
    String key = Keys.range(f, range);
    return v.get(key).map(b -> cache.range(key, b, Keys.rangesOf(f), slotLength));
  }

  /** Writes a range record; one nobody claims and no pool overlaps is deleted instead. */
  void put(IpFamily f, CarvingRange r, int slotLength) {
    String key = Keys.range(f, r.range());
    if (!r.isClaimed() && r.pools().isEmpty()) {
      v.delete(key);
    } else {
      v.put(key, StateCodec.encode(r, slotLength));
    }
  }

  void deleteRange(IpFamily f, IpPrefix range) {
    v.delete(Keys.range(f, range));
  }

  /**
   * Every pool of {@code family} not inside {@code supernet} (all of them without one), or null
   * when the listing is incomplete: it holds fewer or more than {@code carve/<family>} counts (a
   * stale cache). Not tracked: the caller's tracked read and write of {@code carve/<family>}, which
   * every creation and deletion of such a pool bumps, fails the commit on any change of the set;
   * tracking every pool key would put one compare per pool into the transaction.
   */
  List<PoolRecord> poolsNotInside(IpFamily family, Optional<IpPrefix> supernet, CarveRecord carve) {
    List<PoolRecord> out = new ArrayList<>();
    for (var e : v.scan(Keys.POOLS).entrySet()) {
      PoolRecord r = cache.pool(e.getKey(), e.getValue());
      if (r.prefix().family() == family && supernet.filter(s -> s.contains(r.prefix())).isEmpty()) {
        out.add(r);
      }
    }
    return out.size() == carve.pools() ? out : null;
  }

  // ---- holders

  Optional<HolderRecord> holder(IpPrefix pool, Holder holder) {
    String key = Keys.holder(pool, holder);
    return v.get(key).map(b -> StateCodec.decodeHolder(key, b));
  }

  void put(IpPrefix pool, HolderRecord h) {
    v.put(Keys.holder(pool, h.holder()), StateCodec.encode(h));
  }

  void deleteHolder(IpPrefix pool, Holder holder) {
    v.delete(Keys.holder(pool, holder));
  }

  /**
   * Whether a holder other than {@code holder} holds {@code pool}. Only the one other holder found
   * is read tracked, so the answer "yes" fails the commit if that holder leaves meanwhile, at one
   * compare however many hosts hold the pool. "No" may miss a holder that joined just now: the
   * deletion it leads to re-checks on a linearizable listing.
   */
  boolean otherHolder(IpPrefix pool, Holder holder) {
    return anotherHolder(pool, holder).isPresent();
  }

  /** As {@link #otherHolder}, naming the one other holder found (its key read tracked). */
  Optional<Holder> anotherHolder(IpPrefix pool, Holder holder) {
    String mine = Keys.holder(pool, holder);
    List<String> others = new ArrayList<>(v.scan(Keys.holdersOf(pool)).keySet());
    others.remove(mine);
    // Start at a place that depends on the holder: when many leave at once, they do not all read
    // (and so all conflict on) the same first key.
    int n = others.size();
    int start = n == 0 ? 0 : Math.floorMod(mine.hashCode() * 0x9E3779B1, n);
    for (int i = 0; i < n; i++) {
      String k = others.get((start + i) % n);
      Optional<byte[]> b = v.get(k);
      if (b.isPresent()) {
        return Optional.of(StateCodec.decodeHolder(k, b.get()).holder());
      }
    }
    return Optional.empty();
  }

  /** The holders of {@code pool} (each key tracked; one created by someone else is not seen). */
  List<Holder> holders(IpPrefix pool) {
    String prefix = Keys.holdersOf(pool);
    List<Holder> out = new ArrayList<>();
    v.list(prefix).keySet().forEach(k -> out.add(holderOfKey(k, prefix)));
    return out;
  }

  /** A holder read from the value or key {@code key}; a malformed one is a corrupt store. */
  static Holder stored(String key, String holder) {
    try {
      return Holder.parse(holder);
    } catch (IllegalArgumentException e) {
      throw new org.clusteripam.core.store.StoreCorruptException(key, e.getMessage(), e);
    }
  }

  /** The holder a {@code holders/} or {@code affinity/} key names. */
  static Holder holderOfKey(String key, String prefixOfPool) {
    return stored(key, Keys.lastSegment(key, prefixOfPool));
  }

  // ---- affinity

  AffinityRecord affinity(IpPrefix pool, Holder holder) {
    String key = cache.affinityKey(pool, holder);
    return v.get(key)
        .map(b -> StateCodec.decodeAffinity(key, b))
        .orElse(new AffinityRecord(holder, new TreeSet<>()));
  }

  void put(IpPrefix pool, AffinityRecord a) {
    String key = cache.affinityKey(pool, a.holder());
    if (a.blocks().isEmpty()) {
      v.delete(key);
    } else {
      v.put(key, StateCodec.encode(a));
    }
  }

  /** Records that {@code owner} (unless none) owns {@code block}; written only when it changes. */
  void addAffinity(IpPrefix pool, Holder owner, IpPrefix block) {
    AffinityRecord a = affinity(pool, owner);
    if (!a.blocks().contains(block)) {
      put(pool, a.with(block));
    }
  }

  // ---- blocks

  /** The block (a chunked one reads, tracked, only the chunks its operations need). */
  Optional<Block> block(IpPrefix pool, IpPrefix block) {
    String key = cache.blockKey(pool, block);
    return v.get(key).map(b -> cache.block(key, b).reading(v::get));
  }

  /**
   * Writes what the block asks for: its value if changed, and in the chunked form the chunks it
   * changed.
   */
  void put(Block r) {
    String key = cache.blockKey(r.pool(), r.block());
    BlockWrite w = BlockCodec.write(r);
    w.chunkPuts().forEach(v::put);
    w.chunkDeletes().forEach(v::delete);
    if (w.valueChanged()) {
      v.put(key, w.value()); // the store copies or keeps it; the cache keeps its own copy
    }
    cache.remember(key, w.value().clone(), w.stored());
  }

  void deleteBlock(IpPrefix pool, IpPrefix block) {
    String key = cache.blockKey(pool, block);
    v.get(key).ifPresent(b -> BlockCodec.chunkKeys(cache.block(key, b)).forEach(v::delete));
    v.delete(key);
  }

  /**
   * Every block of {@code pool}, untracked: a hint; what is acted on is re-read with {@link
   * #block}.
   */
  List<Block> scanBlocks(IpPrefix pool) {
    List<Block> out = new ArrayList<>();
    SortedMap<String, byte[]> all = v.scan(Keys.blocksOf(pool));
    all.forEach(
        (k, b) -> {
          if (!Keys.isBlockChunk(k)) {
            out.add(cache.block(k, b).reading(c -> Optional.ofNullable(all.get(c))));
          }
        });
    return out;
  }

  /** Every block of {@code pool} (each key tracked). */
  List<Block> blocks(IpPrefix pool) {
    List<Block> out = new ArrayList<>();
    v.list(Keys.blocksOf(pool))
        .forEach(
            (k, b) -> {
              if (!Keys.isBlockChunk(k)) {
                out.add(cache.block(k, b).reading(v::get));
              }
            });
    return out;
  }

  // ---- hosts

  /**
   * The pools {@code holder} holds: its keys {@code hosts/<holder>/<pool>} (each read tracked), and
   * those of a record {@code hosts/<holder>} written before one key per pool, until converted.
   */
  java.util.SortedSet<IpPrefix> hostPools(Holder holder) {
    TreeSet<IpPrefix> out = new TreeSet<>();
    String prefix = Keys.hostPoolsOf(holder);
    v.list(prefix)
        .forEach(
            (k, b) -> {
              StateCodec.decodeHostPool(k, b);
              try {
                out.add(Keys.parseSegment(k.substring(prefix.length())));
              } catch (IllegalArgumentException e) {
                throw new org.clusteripam.core.store.StoreCorruptException(
                    k, "not a pool key: " + e.getMessage(), e);
              }
            });
    String legacy = Keys.host(holder);
    v.get(legacy).ifPresent(b -> out.addAll(StateCodec.decodeHost(legacy, b).pools()));
    return out;
  }

  /** Records that {@code holder} holds {@code p}: one key, whatever else it holds. */
  void addHostPool(Holder holder, IpPrefix p) {
    String key = Keys.hostPool(holder, p);
    if (v.get(key).isEmpty()) {
      v.put(key, StateCodec.encodeHostPool());
    }
  }

  /**
   * Records that {@code holder} no longer holds {@code p}. A record of every pool written by an
   * earlier build loses the pool too, and goes with its last one: such records only shrink.
   */
  void removeHostPool(Holder holder, IpPrefix p) {
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

  /** Every key under {@code prefix}, untracked: a hint, acted on through {@link #getRaw}. */
  SortedMap<String, byte[]> scanRaw(String prefix) {
    return new TreeMap<>(v.scan(prefix));
  }
}
