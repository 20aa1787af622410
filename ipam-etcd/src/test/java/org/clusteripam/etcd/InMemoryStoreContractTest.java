package org.clusteripam.etcd;

import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StateStore;

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
      return new ForwardingStateStore(store) {
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
