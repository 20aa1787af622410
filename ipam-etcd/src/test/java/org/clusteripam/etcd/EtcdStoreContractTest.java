package org.clusteripam.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.testkit.etcd.EtcdExtension;
import org.clusteripam.testkit.store.StateStoreContract;
import org.clusteripam.testkit.store.StoreBacking;
import org.junit.jupiter.api.extension.RegisterExtension;

class EtcdStoreContractTest extends StateStoreContract {
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();
  private static final AtomicInteger TESTS = new AtomicInteger();

  @Override
  protected StoreBacking newBacking() {
    // The contract is not about timeouts: the JVM's first etcd client (gRPC start-up) can take
    // longer than the default 5 s on a loaded machine.
    return new EtcdBacking(
        EtcdStoreConfig.of(etcd.endpoint())
            .withPrefix("/contract-" + TESTS.incrementAndGet() + "/")
            .withTimeout(Duration.ofSeconds(30)));
  }

  /** A fresh prefix in the shared etcd; every instance is a separate client. */
  static final class EtcdBacking implements StoreBacking {
    private final EtcdStoreConfig config;
    private final List<StateStore> opened = new ArrayList<>();

    EtcdBacking(EtcdStoreConfig config) {
      this.config = config;
    }

    @Override
    public StateStore open() {
      EtcdStateStore s = EtcdStateStore.connect(config);
      opened.add(s);
      return s;
    }

    @Override
    public boolean independentInstances() {
      return true;
    }

    @Override
    public boolean durable() {
      return true;
    }

    @Override
    public void close() {
      opened.forEach(StateStore::close);
    }
  }
}
