package org.clusteripam.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.TxnView;
import org.clusteripam.core.store.Versioned;

/** Wraps a store and records, per transaction, the keys it read (tracked) and wrote. */
public final class RecordingStateStore implements StateStore {
  private final StateStore inner;
  private final List<Access> log = new ArrayList<>();

  /** One committed or attempted transaction. */
  public record Access(String name, TreeSet<String> read, TreeSet<String> written) {}

  public RecordingStateStore(StateStore inner) {
    this.inner = inner;
  }

  public synchronized List<Access> log() {
    return new ArrayList<>(log);
  }

  public synchronized void clear() {
    log.clear();
  }

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    return inner.transact(name, v -> {
      Access a = new Access(name, new TreeSet<>(), new TreeSet<>());
      synchronized (this) {
        log.add(a);
      }
      return txn.run(new TxnView() {
        @Override
        public Optional<byte[]> get(String key) {
          a.read().add(key);
          return v.get(key);
        }

        @Override
        public SortedMap<String, byte[]> list(String prefix) {
          SortedMap<String, byte[]> m = v.list(prefix);
          a.read().addAll(m.keySet());
          return m;
        }

        @Override
        public void put(String key, byte[] value) {
          a.written().add(key);
          v.put(key, value);
        }

        @Override
        public void delete(String key) {
          a.written().add(key);
          v.delete(key);
        }
      });
    });
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
    return "recording " + inner.describe();
  }

  @Override
  public void close() {
    inner.close();
  }
}
