package org.clusteripam.core.engine;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.clusteripam.core.state.BlockRecord;
import org.clusteripam.core.state.StateCodec;

/**
 * Memoizes the decoding of block values: a host usually reads back exactly the bytes it wrote last,
 * so comparing bytes (a memcmp) replaces a JSON parse on the hot path. A pure cache of a pure
 * function: a stale or foreign value simply misses.
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
}
