package org.clusteripam.etcd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.store.StateStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class EtcdStoreContractTest extends StateStoreContract {
  private static EtcdProcess etcd;
  private static final AtomicInteger TESTS = new AtomicInteger();

  @BeforeAll
  static void startEtcd() {
    etcd = EtcdProcess.start();
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Override
  protected StoreBacking newBacking() {
    return new EtcdBacking(EtcdStoreConfig.of(etcd.endpoint()).withPrefix("/contract-" + TESTS.incrementAndGet() + "/"));
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
