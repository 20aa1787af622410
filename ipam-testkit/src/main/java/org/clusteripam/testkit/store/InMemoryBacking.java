package org.clusteripam.testkit.store;

import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StateStore;

/** Every "instance" is a view of the one in-memory store; closing a view leaves the store open. */
public final class InMemoryBacking implements StoreBacking {
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
