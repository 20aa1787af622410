package org.clusteripam.etcd.file;

import java.util.Map;
import java.util.SortedMap;
import org.clusteripam.core.store.Versioned;

/**
 * The state at one revision, captured for a snapshot: keys and values in key order, in plain arrays
 * because the capture runs under the state lock and arrays are the cheapest copy (no tree nodes).
 * Sharing the {@link Versioned} values is safe: the store never modifies one, it replaces it.
 */
record StateImage(long revision, String[] keys, Versioned[] values) {

  static StateImage of(long revision, SortedMap<String, Versioned> data) {
    String[] keys = new String[data.size()];
    Versioned[] values = new Versioned[keys.length];
    int i = 0;
    for (Map.Entry<String, Versioned> e : data.entrySet()) {
      keys[i] = e.getKey();
      values[i++] = e.getValue();
    }
    return new StateImage(revision, keys, values);
  }
}
