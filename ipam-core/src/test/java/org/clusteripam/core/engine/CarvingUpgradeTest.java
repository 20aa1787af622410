package org.clusteripam.core.engine;

import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.LegacyCarvingScenario;
import org.junit.jupiter.api.Test;

/** A store carved by the build before carving ranges keeps working, in memory. */
class CarvingUpgradeTest {
  @Test
  void poolsCarvedBeforeRangesAreNeverOverlapped() {
    InMemoryStateStore mem = new InMemoryStateStore();
    LegacyCarvingScenario.run(
        () ->
            new org.clusteripam.core.store.ForwardingStateStore(mem) {
              @Override
              public void close() {} // three connections to one store
            });
  }
}
