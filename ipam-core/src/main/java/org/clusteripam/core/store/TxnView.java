package org.clusteripam.core.store;

import java.util.Optional;
import java.util.SortedMap;

/** What a {@link Txn} sees: tracked reads and buffered writes. */
public interface TxnView {

  /**
   * Reads a key and adds it to the read set: the commit fails (and the transaction re-runs) if the
   * key is created, changed or deleted by someone else before the commit. Reads see this
   * transaction's own earlier writes.
   */
  Optional<byte[]> get(String key);

  /**
   * Every key under {@code prefix}, as of the transaction's snapshot plus its own writes. NOT
   * tracked: a key added under the prefix by someone else does not fail the commit, so use an index
   * key read with {@link #get} where additions matter. Each key returned is tracked as if read with
   * {@link #get}.
   */
  SortedMap<String, byte[]> list(String prefix);

  /**
   * Every key under {@code prefix}, like {@link #list}, but NOT tracked at all: for hints whose
   * decision the transaction re-checks with tracked reads ({@link #get}) of the few keys it acts
   * on, or guards with a tracked counter. A store's transaction compares every tracked key (etcd
   * allows 128 per transaction by default), so a listing that grows with the cluster must not be
   * tracked. The default tracks anyway, which is always safe.
   */
  default SortedMap<String, byte[]> scan(String prefix) {
    return list(prefix);
  }

  /** Buffers a write; committed only with the whole transaction. */
  void put(String key, byte[] value);

  /** Buffers a deletion; deleting an absent key is allowed. */
  void delete(String key);
}
