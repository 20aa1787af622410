package org.clusteripam.core.engine;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;

/**
 * Memoizes the decoding of block and pool values: a host usually reads back exactly the bytes it
 * wrote or read last, so comparing bytes (a memcmp) replaces a JSON parse on the hot path. A pure
 * cache of a pure function: a stale or foreign value simply misses. Carving ranges too: a carving
 * reads every range record of the family as a hint.
 */
final class DecodeCache {
  private static final int MAX = 8192;
  private final ConcurrentHashMap<String, Entry<Block>> blocks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Entry<PoolRecord>> pools = new ConcurrentHashMap<>();

  private record Entry<T>(byte[] bytes, T record) {}

  Block block(String key, byte[] bytes) {
    Entry<Block> e = blocks.get(key);
    if (e != null && Arrays.equals(e.bytes, bytes)) {
      return e.record;
    }
    Block r = StateCodec.decodeBlock(key, bytes);
    remember(key, bytes, r);
    return r;
  }

  /** Records that {@code bytes} (already a private copy) decode to {@code record}. */
  void remember(String key, byte[] bytes, Block record) {
    if (blocks.size() >= MAX) {
      blocks.clear();
    }
    blocks.put(key, new Entry<>(bytes, record));
  }

  PoolRecord pool(String key, byte[] bytes) {
    Entry<PoolRecord> e = pools.get(key);
    if (e != null && Arrays.equals(e.bytes, bytes)) {
      return e.record;
    }
    PoolRecord r = StateCodec.decodePool(key, bytes);
    remember(key, bytes.clone(), r);
    return r;
  }

  void remember(String key, byte[] bytes, PoolRecord record) {
    if (pools.size() >= MAX) {
      pools.clear();
    }
    pools.put(key, new Entry<>(bytes, record));
  }

  /**
   * Block and affinity keys: their text is built from prefixes on every call of the hot path
   * otherwise.
   */
  private record BlockId(IpPrefix pool, IpPrefix block) {}

  private record HolderId(IpPrefix pool, Holder holder) {}

  private final ConcurrentHashMap<BlockId, String> blockKeys = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<HolderId, String> affinityKeys = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<IpPrefix, String> poolKeys = new ConcurrentHashMap<>();

  /** {@link Keys#block}, memoized. */
  String blockKey(IpPrefix pool, IpPrefix block) {
    BlockId id = new BlockId(pool, block);
    String k = blockKeys.get(id);
    if (k == null) {
      if (blockKeys.size() >= MAX) {
        blockKeys.clear();
      }
      k = Keys.block(pool, block);
      blockKeys.put(id, k);
    }
    return k;
  }

  /** {@link Keys#affinity}, memoized. */
  String affinityKey(IpPrefix pool, Holder holder) {
    HolderId id = new HolderId(pool, holder);
    String k = affinityKeys.get(id);
    if (k == null) {
      if (affinityKeys.size() >= MAX) {
        affinityKeys.clear();
      }
      k = Keys.affinity(pool, holder);
      affinityKeys.put(id, k);
    }
    return k;
  }

  /** {@link Keys#pool}, memoized. */
  String poolKey(IpPrefix pool) {
    String k = poolKeys.get(pool);
    if (k == null) {
      if (poolKeys.size() >= MAX) {
        poolKeys.clear();
      }
      k = Keys.pool(pool);
      poolKeys.put(pool, k);
    }
    return k;
  }

  private final ConcurrentHashMap<String, Entry<org.clusteripam.core.alloc.CarvingRange>> ranges =
      new ConcurrentHashMap<>();

  /** The carving range stored at {@code key} (a range key of {@code family}). */
  org.clusteripam.core.alloc.CarvingRange range(
      String key, byte[] bytes, String familyPrefix, int slotLength) {
    Entry<org.clusteripam.core.alloc.CarvingRange> e = ranges.get(key);
    if (e != null && Arrays.equals(e.bytes, bytes)) {
      return e.record;
    }
    IpPrefix range;
    try {
      range = Keys.parseSegment(key.substring(familyPrefix.length()));
    } catch (IllegalArgumentException ex) {
      throw new org.clusteripam.core.store.StoreCorruptException(
          key, "not a range key: " + ex.getMessage(), ex);
    }
    org.clusteripam.core.alloc.CarvingRange r =
        StateCodec.decodeRange(key, bytes, range, slotLength);
    if (ranges.size() >= MAX) {
      ranges.clear();
    }
    ranges.put(key, new Entry<>(bytes.clone(), r));
    return r;
  }
}
