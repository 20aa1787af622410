package org.clusteripam.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.Versioned;
import org.clusteripam.testkit.etcd.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One IPv6 block stored chunked, on real etcd: four engines (each its own etcd client, as four
 * hosts) allocate and release at once in different chunks of the same /112 block — the owner
 * dynamically in its first chunk, the others explicit addresses in chunks of their own. Every
 * change compares the summary all of them write, so they conflict and re-run: no address is given
 * twice, none is lost, no call fails, and the block read back holds exactly what the replies say.
 */
class ChunkedBlockOnEtcdTest {
  private static final int HOSTS = 4;
  private static final int THREADS = 2;
  private static final int PER_THREAD = 40;
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();

  @Test
  void enginesWritingDifferentChunksOfOneBlockLoseNothing() throws Exception {
    EtcdStoreConfig config =
        EtcdStoreConfig.of(etcd.endpoint())
            .withPrefix("/chunked-" + ProcessHandle.current().pid() + "/")
            .withTimeout(Duration.ofSeconds(30));
    IpPrefix subnet = IpPrefix.parse("fd00:77::/64");
    List<EtcdStateStore> stores = new ArrayList<>();
    ExecutorService ex = Executors.newFixedThreadPool(HOSTS * THREADS);
    try {
      List<IpamEngine> engines = new ArrayList<>();
      List<HostId> ids = new ArrayList<>();
      PoolId pool = null;
      for (int i = 0; i < HOSTS; i++) {
        EtcdStateStore s = EtcdStateStore.connect(config);
        stores.add(s);
        IpamEngine e = IpamEngine.open(s, IpamConfig.defaults(), Clock.systemUTC());
        HostId id = new HostId("host" + i);
        pool =
            e.driver()
                .requestPool(
                    new PoolRequest(
                        id,
                        e.driver().addressSpaces().local(),
                        Optional.of(subnet),
                        Optional.empty(),
                        Map.of(),
                        false))
                .id();
        engines.add(e);
        ids.add(id);
      }
      // host0 claims the block with its first dynamic allocation
      IpAddress first =
          engines
              .get(0)
              .driver()
              .requestAddress(
                  new AddressRequest(
                      ids.get(0), pool, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
              .address();
      IpPrefix block = IpPrefix.containing(first, 112); // the default IPv6 block length
      assertThat(block.sizeAsLong()).isEqualTo(65_536);
      ConcurrentHashMap<IpAddress, String> held = new ConcurrentHashMap<>();
      held.put(first, "host0");
      List<String> problems = new CopyOnWriteArrayList<>();
      List<Future<?>> fs = new ArrayList<>();
      PoolId p = pool;
      for (int h = 0; h < HOSTS; h++) {
        for (int t = 0; t < THREADS; t++) {
          int host = h;
          int thread = t;
          fs.add(
              ex.submit(
                  () -> {
                    IpamEngine e = engines.get(host);
                    HostId id = ids.get(host);
                    List<IpAddress> mine = new ArrayList<>();
                    for (int i = 0; i < PER_THREAD; i++) {
                      try {
                        // host0: dynamic (chunk 0 and up); host k: chunk 2k, its threads apart
                        Optional<IpAddress> want =
                            host == 0
                                ? Optional.empty()
                                : Optional.of(block.addressAt(host * 256L + thread * 64L + i));
                        IpAddress a =
                            e.driver()
                                .requestAddress(
                                    new AddressRequest(id, p, want, AddressKind.ENDPOINT, Map.of()))
                                .address();
                        String prev = held.putIfAbsent(a, id.value());
                        if (prev != null) {
                          problems.add(a + " given to " + id + " while " + prev + " holds it");
                        }
                        mine.add(a);
                        if (i % 3 == 2) {
                          IpAddress r = mine.remove(0);
                          held.remove(r);
                          e.driver().releaseAddress(id, p, r);
                        }
                      } catch (RuntimeException x) {
                        problems.add(id + ": " + x);
                      }
                    }
                  }));
        }
      }
      for (Future<?> f : fs) {
        f.get(300, TimeUnit.SECONDS);
      }
      assertThat(problems).isEmpty();
      // what the replies say is exactly what the block holds, read back by a fresh client
      try (EtcdStateStore reader = EtcdStateStore.connect(config)) {
        IpamQueries.Snapshot snap =
            IpamEngine.open(reader, IpamConfig.defaults(), Clock.systemUTC()).queries().snapshot();
        TreeMap<IpAddress, String> stored = new TreeMap<>();
        for (IpamQueries.PoolView pv : snap.allPools()) {
          for (IpamQueries.BlockView bv : pv.blocks()) {
            for (IpamQueries.AddressView av : bv.addresses()) {
              assertThat(av.holders()).hasSize(1);
              stored.put(av.address(), av.holders().first().format());
            }
          }
        }
        assertThat(stored).isEqualTo(new TreeMap<>(held));
        SortedMap<String, Versioned> keys = reader.list(Keys.block(subnet, block) + "/");
        assertThat(keys.keySet())
            .as("the block is stored as chunk keys")
            .hasSizeGreaterThanOrEqualTo(HOSTS);
      }
    } finally {
      ex.shutdownNow();
      stores.forEach(EtcdStateStore::close);
    }
  }
}
