package org.clusteripam.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeSet;
import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.TxnView;

/** Wraps a store and records, per transaction, the keys it read (tracked) and wrote. */
public final class RecordingStateStore extends ForwardingStateStore {
  private final List<Access> log = new ArrayList<>();

  /** One committed or attempted transaction. */
  public record Access(String name, TreeSet<String> read, TreeSet<String> written) {}

  public RecordingStateStore(StateStore inner) {
    super(inner);
  }

  public synchronized List<Access> log() {
    return new ArrayList<>(log);
  }

  public synchronized void clear() {
    log.clear();
  }

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    return delegate()
        .transact(
            name,
            v -> {
              Access a = new Access(name, new TreeSet<>(), new TreeSet<>());
              synchronized (this) {
                log.add(a);
              }
              return txn.run(
                  new TxnView() {
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
  public String describe() {
    return "recording " + delegate().describe();
  }
}
