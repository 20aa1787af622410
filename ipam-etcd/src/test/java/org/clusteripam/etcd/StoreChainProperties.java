package org.clusteripam.etcd;

import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.ActionChain;
import org.clusteripam.etcd.file.FileStoreContractTest;
import org.clusteripam.testkit.TempDirs;
import org.clusteripam.testkit.etcd.EtcdProcess;
import org.clusteripam.testkit.store.InMemoryBacking;
import org.clusteripam.testkit.store.StoreChain;

/** The stateful chain of {@link StoreChain} on each of the three stores. */
class StoreChainProperties {
  private static EtcdProcess etcd;
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private final StoreChain.Tracker tracker = new StoreChain.Tracker();

  @BeforeContainer
  static void startEtcd() {
    etcd = EtcdProcess.start();
  }

  @AfterContainer
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @AfterTry
  void closeStores() {
    tracker.closeAll();
  }

  @Property(tries = 40)
  void inMemoryStoreBehavesLikeAMap(@ForAll("inMemory") ActionChain<StoreChain> chain) {
    StoreChain.checked(chain).run();
  }

  @Property(tries = 25)
  void fileStoreBehavesLikeAMap(@ForAll("file") ActionChain<StoreChain> chain) {
    StoreChain.checked(chain).run();
  }

  @Property(tries = 15)
  void etcdStoreBehavesLikeAMap(@ForAll("etcd") ActionChain<StoreChain> chain) {
    StoreChain.checked(chain).run();
  }

  @Provide
  Arbitrary<ActionChain<StoreChain>> inMemory() {
    return StoreChain.chains(() -> tracker.track(new StoreChain(new InMemoryBacking())));
  }

  @Provide
  Arbitrary<ActionChain<StoreChain>> file() {
    return StoreChain.chains(
        () ->
            tracker.track(
                new StoreChain(
                    new FileStoreContractTest.FileBacking(TempDirs.create("chain"), 512))));
  }

  @Provide
  Arbitrary<ActionChain<StoreChain>> etcd() {
    return StoreChain.chains(
        () ->
            tracker.track(
                new StoreChain(
                    new EtcdStoreContractTest.EtcdBacking(
                        EtcdStoreConfig.of(etcd.endpoint())
                            .withPrefix("/chain-" + PREFIXES.incrementAndGet() + "/")))));
  }
}
