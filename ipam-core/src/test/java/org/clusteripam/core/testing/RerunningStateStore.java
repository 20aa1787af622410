package org.clusteripam.core.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.TxnView;
import org.clusteripam.core.store.Versioned;

/**
 * Runs every transaction function twice, as an optimistic store does after a conflict: first
 * against a view whose writes are thrown away, then for real. An engine whose transactions are not
 * pure functions of what they read (side effects, hidden state) shows it as wrong answers.
 */
public final class RerunningStateStore implements StateStore {
  private final StateStore inner;
  private long reruns;

  public RerunningStateStore(StateStore inner) {
    this.inner = inner;
  }

  public synchronized long reruns() {
    return reruns;
  }

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    return inner.transact(name, v -> {
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
      writes.forEach((k, b) -> {
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
  public Optional<Versioned> peek(String key) {
    return inner.peek(key);
  }

  @Override
  public SortedMap<String, Versioned> list(String prefix) {
    return inner.list(prefix);
  }

  @Override
  public long revision() {
    return inner.revision();
  }

  @Override
  public void keepAlive(String key, byte[] value, Duration ttl) {
    inner.keepAlive(key, value, ttl);
  }

  @Override
  public AutoCloseable watch(String prefix, Consumer<String> listener) {
    return inner.watch(prefix, listener);
  }

  @Override
  public String describe() {
    return "rerunning " + inner.describe();
  }

  @Override
  public void close() {
    inner.close();
  }
}
