package org.clusteripam.core.engine;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.clusteripam.core.alloc.SupernetCarver;
import org.clusteripam.core.state.BlockRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolIndex;
import org.clusteripam.core.state.StateCodec;

/**
 * Memoizes the decoding of block values: a host usually reads back exactly the bytes it wrote last,
 * so comparing bytes (a memcmp) replaces a JSON parse on the hot path. A pure cache of a pure
 * function: a stale or foreign value simply misses. The pool index (and the supernet carver built
 * from it) is memoized the same way, so creating a pool does not re-parse and re-carve every pool.
 */
final class DecodeCache {
  private static final int MAX = 8192;
  private final ConcurrentHashMap<String, Entry> blocks = new ConcurrentHashMap<>();

  private record Entry(byte[] bytes, BlockRecord record) {}

  BlockRecord block(String key, byte[] bytes) {
    Entry e = blocks.get(key);
    if (e != null && Arrays.equals(e.bytes, bytes)) {
      return e.record;
    }
    BlockRecord r = StateCodec.decodeBlock(key, bytes);
    remember(key, bytes, r);
    return r;
  }

  /** Records that {@code bytes} (already a private copy) decode to {@code record}. */
  void remember(String key, byte[] bytes, BlockRecord record) {
    if (blocks.size() >= MAX) {
      blocks.clear();
    }
    blocks.put(key, new Entry(bytes, record));
  }

  private record IndexEntry(byte[] bytes, PoolIndex index) {}

  private volatile IndexEntry index;

  PoolIndex index(byte[] bytes) {
    IndexEntry e = index;
    if (e != null && Arrays.equals(e.bytes, bytes)) {
      return e.index;
    }
    PoolIndex idx = StateCodec.decodeIndex(Keys.POOL_INDEX, bytes);
    index = new IndexEntry(bytes, idx);
    return idx;
  }

  void rememberIndex(byte[] bytes, PoolIndex idx) {
    index = new IndexEntry(bytes, idx);
  }

  /** A carver for exactly the pools of one index instance; replaced when the index changes. */
  private record CarverEntry(PoolIndex index, SupernetCarver carver) {}

  private final ConcurrentHashMap<String, CarverEntry> carvers = new ConcurrentHashMap<>();

  /** What carving a /{@code length} from the memoized carver gives, and how many pools it holds. */
  record Carved(java.util.Optional<org.clusteripam.core.net.IpPrefix> prefix, long inUse) {}

  /**
   * Carves (without taking) from the carver memoized for exactly {@code idx} (by identity), or
   * returns null when there is none. Under the lock: the carver is shared and advanced in place.
   */
  synchronized Carved lowestFree(String supernet, PoolIndex idx, int length) {
    CarverEntry e = carvers.get(supernet);
    if (e == null || e.index != idx) {
      return null;
    }
    return new Carved(e.carver.lowestFree(length), e.carver.takenCount());
  }

  synchronized void rememberCarver(String supernet, PoolIndex idx, SupernetCarver carver) {
    carvers.put(supernet, new CarverEntry(idx, carver));
  }

  /**
   * Moves the carver memoized for {@code before} to {@code after}, which adds {@code taken}: the
   * carver is updated instead of rebuilt. A no-op when the memo is for another index.
   */
  synchronized void advanceCarver(String supernet, PoolIndex before, PoolIndex after, org.clusteripam.core.net.IpPrefix taken) {
    CarverEntry e = carvers.get(supernet);
    if (e != null && e.index == before) {
      e.carver.reserve(taken);
      carvers.put(supernet, new CarverEntry(after, e.carver));
    }
  }
}
