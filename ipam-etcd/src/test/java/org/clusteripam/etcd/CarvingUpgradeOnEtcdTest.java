package org.clusteripam.etcd;

import org.clusteripam.core.testing.LegacyCarvingScenario;
import org.clusteripam.testkit.etcd.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A store carved by the build before carving ranges, in a real etcd, used by two hosts of this
 * build on their own connections (and an earlier build writing again in between).
 */
class CarvingUpgradeOnEtcdTest {
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();

  @Test
  void poolsCarvedBeforeRangesAreNeverOverlapped() {
    EtcdStoreConfig c =
        EtcdStoreConfig.of(etcd.endpoint())
            .withPrefix("/carving-upgrade/")
            .withTimeout(java.time.Duration.ofSeconds(20)); // a loaded test machine
    LegacyCarvingScenario.run(() -> EtcdStateStore.connect(c));
  }
}
