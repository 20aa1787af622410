package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeSet;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.state.BlockRecord;
import org.clusteripam.core.state.HostRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolIndex;
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

  PoolIndex index() {
    return v.get(Keys.POOL_INDEX).map(cache::index).orElse(PoolIndex.EMPTY);
  }

  void putIndex(PoolIndex idx) {
    byte[] bytes = StateCodec.encode(idx);
    v.put(Keys.POOL_INDEX, bytes);
    cache.rememberIndex(bytes.clone(), idx);
  }

  DecodeCache cache() {
    return cache;
  }

  Optional<PoolRecord> pool(IpPrefix p) {
    String key = Keys.pool(p);
    return v.get(key).map(b -> StateCodec.decodePool(key, b));
  }

  void put(PoolRecord r) {
    v.put(Keys.pool(r.prefix()), StateCodec.encode(r));
  }

  void deletePool(IpPrefix p) {
    v.delete(Keys.pool(p));
  }

  Optional<BlockRecord> block(IpPrefix pool, IpPrefix block) {
    String key = Keys.block(pool, block);
    return v.get(key).map(b -> cache.block(key, b));
  }

  void put(BlockRecord r) {
    String key = Keys.block(r.pool(), r.block());
    byte[] bytes = StateCodec.encode(r);
    v.put(key, bytes); // the store copies or keeps it; the cache keeps its own copy
    cache.remember(key, bytes.clone(), r);
  }

  void deleteBlock(IpPrefix pool, IpPrefix block) {
    v.delete(Keys.block(pool, block));
  }

  HostRecord host(String holder) {
    String key = Keys.host(holder);
    return v.get(key).map(b -> StateCodec.decodeHost(key, b)).orElse(new HostRecord(holder, new TreeSet<>()));
  }

  void addHostPool(String holder, IpPrefix p) {
    HostRecord h = host(holder);
    if (!h.pools().contains(p)) {
      TreeSet<IpPrefix> s = new TreeSet<>(h.pools());
      s.add(p);
      v.put(Keys.host(holder), StateCodec.encode(new HostRecord(holder, s)));
    }
  }

  void removeHostPool(String holder, IpPrefix p) {
    HostRecord h = host(holder);
    if (h.pools().contains(p)) {
      TreeSet<IpPrefix> s = new TreeSet<>(h.pools());
      s.remove(p);
      if (s.isEmpty()) {
        v.delete(Keys.host(holder));
      } else {
        v.put(Keys.host(holder), StateCodec.encode(new HostRecord(holder, s)));
      }
    }
  }

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

  void deleteRaw(String key) {
    v.delete(key);
  }
}
