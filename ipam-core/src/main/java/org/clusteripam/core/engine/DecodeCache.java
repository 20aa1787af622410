package org.clusteripam.core.engine;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.clusteripam.core.alloc.SupernetCarver;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;

/**
 * Memoizes the decoding of block and pool values: a host usually reads back exactly the bytes it
 * wrote or read last, so comparing bytes (a memcmp) replaces a JSON parse on the hot path. A pure
 * cache of a pure function: a stale or foreign value simply misses. The supernet carver is memoized
 * per {@code carve/<family>} value, so creating a pool does not re-carve every pool.
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

  /** A carver for the pools as of one {@code carve/<family>} value (bytes); replaced when it changes. */
  private record CarverEntry(byte[] carve, SupernetCarver carver) {}

  private final ConcurrentHashMap<String, CarverEntry> carvers = new ConcurrentHashMap<>();

  /** What carving a /{@code length} from the memoized carver gives, and how many pools it holds. */
  record Carved(java.util.Optional<org.clusteripam.core.net.IpPrefix> prefix, long inUse) {}

  /** Carves (without taking) from the carver memoized for exactly {@code carve}, or null when there is none. */
  synchronized Carved lowestFree(String supernet, byte[] carve, int length) {
    CarverEntry e = carvers.get(supernet);
    if (e == null || !Arrays.equals(e.carve, carve)) {
      return null;
    }
    return new Carved(e.carver.lowestFree(length), e.carver.takenCount());
  }

  synchronized void rememberCarver(String supernet, byte[] carve, SupernetCarver carver) {
    carvers.put(supernet, new CarverEntry(carve.clone(), carver));
  }

  /**
   * Moves the carver memoized for {@code before} to {@code after}, which adds {@code taken}: the
   * carver is updated instead of rebuilt. A no-op when the memo is for another value.
   */
  synchronized void advanceCarver(String supernet, byte[] before, byte[] after, org.clusteripam.core.net.IpPrefix taken) {
    CarverEntry e = carvers.get(supernet);
    if (e != null && Arrays.equals(e.carve, before)) {
      e.carver.reserve(taken);
      carvers.put(supernet, new CarverEntry(after.clone(), e.carver));
    }
  }
}
