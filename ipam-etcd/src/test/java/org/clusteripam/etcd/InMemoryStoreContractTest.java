package org.clusteripam.etcd;

import java.time.Duration;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.Versioned;

class InMemoryStoreContractTest extends StateStoreContract {

  @Override
  protected StoreBacking newBacking() {
    return new InMemoryBacking();
  }

  /** Every "instance" is a view of the one in-memory store; closing a view leaves the store open. */
  static final class InMemoryBacking implements StoreBacking {
    private final InMemoryStateStore store = new InMemoryStateStore();

    @Override
    public StateStore open() {
      return new StateStore() {
        @Override
        public <R> R transact(String name, Txn<R> txn) {
          return store.transact(name, txn);
        }

        @Override
        public Optional<Versioned> peek(String key) {
          return store.peek(key);
        }

        @Override
        public SortedMap<String, Versioned> list(String prefix) {
          return store.list(prefix);
        }

        @Override
        public long revision() {
          return store.revision();
        }

        @Override
        public void keepAlive(String key, byte[] value, Duration ttl) {
          store.keepAlive(key, value, ttl);
        }

        @Override
        public AutoCloseable watch(String prefix, Consumer<String> listener) {
          return store.watch(prefix, listener);
        }

        @Override
        public String describe() {
          return store.describe();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public boolean independentInstances() {
      return false;
    }

    @Override
    public boolean durable() {
      return true; // the map outlives its views
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
