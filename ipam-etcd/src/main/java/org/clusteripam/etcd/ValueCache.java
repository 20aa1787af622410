package org.clusteripam.etcd;

import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.clusteripam.core.store.Versioned;

/**
 * A local mirror of every key under the prefix, fed by the initial read, the watch, our own commits
 * and the fresh values etcd returns when a compare fails. It may be stale; that only makes a CAS
 * fail and the transaction re-run with the fresh values. Deletions are kept as tombstones carrying
 * their revision so that a late, older event cannot resurrect a key.
 */
final class ValueCache {
  /** A cached key: {@code value == null} is a tombstone (absent as of {@code modRevision}). */
  record Entry(byte[] value, long modRevision) {
    boolean present() {
      return value != null;
    }
  }

  static final Entry ABSENT = new Entry(null, 0);

  private final ConcurrentSkipListMap<String, Entry> entries = new ConcurrentSkipListMap<>();

  Entry get(String key) {
    Entry e = entries.get(key);
    return e == null ? ABSENT : e;
  }

  /** Records {@code value} (null: deleted) at {@code revision} unless something newer is known. */
  void apply(String key, byte[] value, long revision) {
    Entry fresh = new Entry(value, revision);
    entries.merge(key, fresh, (old, neu) -> neu.modRevision >= old.modRevision ? neu : old);
  }

  Optional<Versioned> peek(String key) {
    Entry e = entries.get(key);
    return e == null || !e.present()
        ? Optional.empty()
        : Optional.of(new Versioned(e.value, e.modRevision));
  }

  /** Present keys under {@code prefix}, with their entries. */
  NavigableMap<String, Entry> list(String prefix) {
    TreeMap<String, Entry> out = new TreeMap<>();
    entries
        .subMap(prefix, prefix + Character.MAX_VALUE)
        .forEach(
            (k, e) -> {
              if (e.present()) {
                out.put(k, e);
              }
            });
    return out;
  }
}
