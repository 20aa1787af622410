package org.clusteripam.core.store;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@link TxnView} over a store's committed sorted map plus the transaction's buffered writes, for
 * stores that run each transaction under their own lock (nothing can change underneath, so reads
 * need no tracking). The store commits {@link #writes()} when the transaction returns.
 */
public final class MapTxnView implements TxnView {
  private final NavigableMap<String, Versioned> committed;

  /** Buffered writes; a null value is a deletion. */
  private final TreeMap<String, byte[]> writes = new TreeMap<>();

  public MapTxnView(NavigableMap<String, Versioned> committed) {
    this.committed = committed;
  }

  /** The buffered writes in key order; a null value is a deletion. */
  public SortedMap<String, byte[]> writes() {
    return Collections.unmodifiableSortedMap(writes);
  }

  @Override
  public Optional<byte[]> get(String key) {
    if (writes.containsKey(key)) {
      return Optional.ofNullable(writes.get(key)).map(byte[]::clone);
    }
    Versioned v = committed.get(key);
    return v == null ? Optional.empty() : Optional.of(v.value().clone());
  }

  @Override
  public SortedMap<String, byte[]> list(String prefix) {
    TreeMap<String, byte[]> out = new TreeMap<>();
    String end = prefix + Character.MAX_VALUE;
    committed.subMap(prefix, end).forEach((k, v) -> out.put(k, v.value().clone()));
    writes
        .subMap(prefix, end)
        .forEach(
            (k, v) -> {
              if (v == null) {
                out.remove(k);
              } else {
                out.put(k, v.clone());
              }
            });
    return out;
  }

  @Override
  public void put(String key, byte[] value) {
    StoreKeys.check(key);
    if (value == null) {
      throw new IllegalArgumentException(
          "value of store key \"" + key + "\" must not be null (use delete)");
    }
    writes.put(key, value.clone());
  }

  @Override
  public void delete(String key) {
    StoreKeys.check(key);
    writes.put(key, null);
  }
}
