package org.clusteripam.testkit.store;

/** The store contract on the in-memory store of ipam-core. */
class InMemoryStoreContractTest extends StateStoreContract {

  @Override
  protected StoreBacking newBacking() {
    return new InMemoryBacking();
  }
}
