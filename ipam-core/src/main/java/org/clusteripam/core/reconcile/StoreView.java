package org.clusteripam.core.reconcile;

import java.util.List;

/**
 * What reconciliation needs from the store, read at {@code revision} (taken BEFORE Docker is read:
 * anything written at or after it may be an allocation Docker has not recorded yet).
 */
public record StoreView(long revision, List<StoredPool> pools, List<StoredAddress> addresses) {
  public StoreView {
    pools = List.copyOf(pools);
    addresses = List.copyOf(addresses);
  }
}
