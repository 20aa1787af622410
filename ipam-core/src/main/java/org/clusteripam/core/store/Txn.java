package org.clusteripam.core.store;

/**
 * The body of a transaction: reads and writes through {@code view}, returns a result. It must be
 * pure (see {@link StateStore}): the store may run it more than once.
 */
@FunctionalInterface
public interface Txn<R> {
  R run(TxnView view);
}
