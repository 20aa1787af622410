package org.clusteripam.core.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link StateStore} held in memory, for tests and for tools that embed the allocator without
 * persistence. Transactions run one at a time under a lock, so they never conflict.
 */
public final class InMemoryStateStore implements StateStore {
  private final TreeMap<String, Versioned> data = new TreeMap<>();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private long revision;
  private boolean closed;

  private record Watch(String prefix, Consumer<String> listener) {}

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    List<String> changed;
    R result;
    synchronized (this) {
      checkOpen();
      MapTxnView view = new MapTxnView(data);
      result = txn.run(view);
      if (view.writes().isEmpty()) {
        return result;
      }
      revision++;
      changed = new ArrayList<>(view.writes().size());
      for (Map.Entry<String, byte[]> w : view.writes().entrySet()) {
        if (w.getValue() == null) {
          if (data.remove(w.getKey()) != null) {
            changed.add(w.getKey());
          }
        } else {
          data.put(w.getKey(), new Versioned(w.getValue(), revision));
          changed.add(w.getKey());
        }
      }
    }
    notifyWatches(changed);
    return result;
  }

  @Override
  public synchronized Optional<Versioned> peek(String key) {
    checkOpen();
    return Optional.ofNullable(data.get(key));
  }

  @Override
  public SortedMap<String, Versioned> list(String prefix) {
    return snapshot(prefix).entries();
  }

  @Override
  public synchronized StoreSnapshot snapshot(String prefix) {
    checkOpen();
    return new StoreSnapshot(revision, data.subMap(prefix, prefix + Character.MAX_VALUE));
  }

  @Override
  public synchronized long revision() {
    return revision;
  }

  @Override
  public void keepAlive(String key, byte[] value, Duration ttl) {
    transact(
        "keepAlive",
        v -> {
          v.put(key, value.clone());
          return null;
        });
  }

  @Override
  public AutoCloseable watch(String prefix, Consumer<String> listener) {
    Watch w = new Watch(prefix, listener);
    watches.add(w);
    return () -> watches.remove(w);
  }

  @Override
  public String describe() {
    return "in-memory store";
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
  }

  private void notifyWatches(List<String> changed) {
    for (Watch w : watches) {
      for (String key : changed) {
        if (key.startsWith(w.prefix)) {
          w.listener.accept(key);
        }
      }
    }
  }
}
