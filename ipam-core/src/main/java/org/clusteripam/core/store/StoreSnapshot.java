package org.clusteripam.core.store;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every key under a prefix as one consistent read saw it, with the store revision of that read:
 * every write committed at or before {@code revision} is in it entirely, none after it is.
 *
 * @param revision the store revision the read was made at; no entry's mod revision is higher
 * @param entries the keys, sorted, with their values and mod revisions (unmodifiable)
 */
public record StoreSnapshot(long revision, SortedMap<String, Versioned> entries) {
  public StoreSnapshot {
    for (Map.Entry<String, Versioned> e : entries.entrySet()) {
      if (e.getValue().modRevision() > revision) {
        throw new IllegalArgumentException(
            e.getKey()
                + " was written at revision "
                + e.getValue().modRevision()
                + ", after the snapshot's "
                + revision);
      }
    }
    entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
  }

  /** The entries under {@code prefix} (a view). */
  public SortedMap<String, Versioned> under(String prefix) {
    return entries.subMap(prefix, prefix + Character.MAX_VALUE);
  }
}
