package org.clusteripam.core.migrate;

import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Txn;

/**
 * Lets {@code commits} transactions through, then "crashes": every further call throws and writes
 * nothing.
 */
public final class CrashingStore extends ForwardingStateStore {
  /** The simulated crash. */
  public static final class Crash extends RuntimeException {
    Crash() {
      super("crashed", null, false, false);
    }
  }

  private int left;

  public CrashingStore(StateStore inner, int commits) {
    super(inner);
    this.left = commits;
  }

  @Override
  public synchronized <R> R transact(String name, Txn<R> txn) {
    if (left-- <= 0) {
      throw new Crash();
    }
    return super.transact(name, txn);
  }

  @Override
  public void close() {
    // the test closes the real store
  }
}
