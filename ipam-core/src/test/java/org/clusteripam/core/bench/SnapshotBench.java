package org.clusteripam.core.bench;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;

/**
 * How long {@link IpamQueries#snapshot()} (what {@code show}, {@code check} and the map page read)
 * takes on a store holding N addresses in /26 blocks, filled through the engine by 16 hosts. Args:
 * N (default 100000), repetitions (default 5).
 */
public final class SnapshotBench {
  private SnapshotBench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    InMemoryStateStore store = new InMemoryStateStore();
    IpamConfig config = IpamConfig.defaults();
    Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    int hosts = 16;
    DriverIpam[] ipam = new DriverIpam[hosts];
    PoolId id = null;
    long t0 = System.nanoTime();
    for (int h = 0; h < hosts; h++) {
      HostId host = new HostId("host-" + h);
      ipam[h] = IpamEngine.open(store, config, clock).driver();
      id =
          ipam[h]
              .requestPool(
                  new PoolRequest(
                      host,
                      "ClusterIpamLocal",
                      Optional.of(IpPrefix.parse("10.64.0.0/14")),
                      Optional.empty(),
                      Map.of(),
                      false))
              .id();
    }
    for (int i = 0; i < n; i++) {
      int h = i % hosts;
      ipam[h].requestAddress(
          new AddressRequest(
              new HostId("host-" + h), id, Optional.empty(), AddressKind.ENDPOINT, Map.of()));
    }
    long fill = System.nanoTime() - t0;
    long bytes = store.list("").values().stream().mapToLong(v -> v.value().length).sum();
    System.out.printf(
        "filled %,d addresses in %.1f s; store values %,d bytes%n", n, fill / 1e9, bytes);
    for (int r = 0; r < reps; r++) {
      long s0 = System.nanoTime();
      IpamQueries.Snapshot s = new IpamQueries(store, config).snapshot();
      long used = s.allPools().stream().mapToLong(IpamQueries.PoolView::used).sum();
      System.out.printf(
          "snapshot %d: %.1f ms (%,d addresses)%n", r + 1, (System.nanoTime() - s0) / 1e6, used);
    }
  }
}
