package org.clusteripam.core.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.TxnView;

/**
 * Runs every transaction function twice, as an optimistic store does after a conflict: first
 * against a view whose writes are thrown away, then for real. An engine whose transactions are not
 * pure functions of what they read (side effects, hidden state) shows it as wrong answers.
 */
public final class RerunningStateStore extends ForwardingStateStore {
  private long reruns;

  public RerunningStateStore(StateStore inner) {
    super(inner);
  }

  public synchronized long reruns() {
    return reruns;
  }

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    return delegate()
        .transact(
            name,
            v -> {
              try {
                txn.run(new Discarding(v));
              } catch (RuntimeException e) {
                // the real run will throw it again (or succeed if it depended on nothing stale)
              }
              synchronized (this) {
                reruns++;
              }
              return txn.run(v);
            });
  }

  /** Reads through, buffers writes privately, and forgets them. */
  private static final class Discarding implements TxnView {
    private final TxnView v;
    private final Map<String, byte[]> writes = new HashMap<>();

    Discarding(TxnView v) {
      this.v = v;
    }

    @Override
    public Optional<byte[]> get(String key) {
      if (writes.containsKey(key)) {
        return Optional.ofNullable(writes.get(key)).map(byte[]::clone);
      }
      return v.get(key);
    }

    @Override
    public SortedMap<String, byte[]> list(String prefix) {
      TreeMap<String, byte[]> m = new TreeMap<>(v.list(prefix));
      writes.forEach(
          (k, b) -> {
            if (k.startsWith(prefix)) {
              if (b == null) {
                m.remove(k);
              } else {
                m.put(k, b.clone());
              }
            }
          });
      return m;
    }

    @Override
    public void put(String key, byte[] value) {
      writes.put(key, value.clone());
    }

    @Override
    public void delete(String key) {
      writes.put(key, null);
    }
  }

  @Override
  public String describe() {
    return "rerunning " + delegate().describe();
  }
}
