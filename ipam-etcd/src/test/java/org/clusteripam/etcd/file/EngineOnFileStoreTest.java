package org.clusteripam.etcd.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
import org.clusteripam.testkit.TempDirs;
import org.junit.jupiter.api.Test;

/**
 * The core engine on the embedded store: concurrent allocations survive a reopen (and compactions).
 */
class EngineOnFileStoreTest {

  @Test
  void allocationsSurviveReopeningAndAreNeverHandedOutTwice() throws Exception {
    Path dir = TempDirs.create("engine-file");
    HostId host = new HostId("single");
    IpPrefix subnet = IpPrefix.parse("10.93.0.0/22");
    Set<IpAddress> held = ConcurrentHashMap.newKeySet();
    try {
      PoolId pool;
      try (FileStateStore store = FileStateStore.open(dir, 64 * 1024)) {
        IpamEngine ipam = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC());
        pool =
            ipam.driver()
                .requestPool(
                    new PoolRequest(
                        host,
                        ipam.driver().addressSpaces().local(),
                        Optional.of(subnet),
                        Optional.empty(),
                        Map.of(),
                        false))
                .id();
        ExecutorService ex = Executors.newFixedThreadPool(8);
        try {
          List<Future<?>> fs = new ArrayList<>();
          for (int t = 0; t < 8; t++) {
            fs.add(
                ex.submit(
                    () -> {
                      for (int i = 0; i < 100; i++) {
                        IpAddress a =
                            ipam.driver()
                                .requestAddress(
                                    new AddressRequest(
                                        host,
                                        pool,
                                        Optional.empty(),
                                        AddressKind.ENDPOINT,
                                        Map.of()))
                                .address();
                        assertThat(held.add(a)).as("handed out twice: " + a).isTrue();
                        if (i % 4 == 3) {
                          held.remove(a);
                          ipam.driver().releaseAddress(host, pool, a);
                        }
                      }
                    }));
          }
          for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
          }
        } finally {
          ex.shutdownNow();
        }
      }
      try (FileStateStore store = FileStateStore.open(dir, 64 * 1024)) {
        IpamEngine ipam = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC());
        Set<IpAddress> inState = ConcurrentHashMap.newKeySet();
        IpamQueries.PoolView pv =
            ipam.queries().snapshot().allPools().stream()
                .filter(p -> p.prefix().equals(subnet))
                .findFirst()
                .orElseThrow();
        pv.blocks().forEach(b -> b.addresses().forEach(a -> inState.add(a.address())));
        assertThat(inState).isEqualTo(held);
        IpAddress fresh =
            ipam.driver()
                .requestAddress(
                    new AddressRequest(
                        host, pool, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                .address();
        assertThat(held).doesNotContain(fresh);
      }
    } finally {
      TempDirs.delete(dir);
    }
  }
}
