package org.clusteripam.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.etcd.EtcdStateStore;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.etcd.EtcdStoreStats;
import org.clusteripam.etcd.SharedEtcd;

/**
 * N simulated hosts on one etcd prefix. Each host has its own store (cache, group committer,
 * listeners) and engine, but they share one etcd client and one watch ({@link SharedEtcd}): with a
 * watch per host, every write reached all N caches through etcd and gRPC, N² events that at 512
 * hosts kept etcd and this process (2 cores) too busy to answer within the store timeout. Host
 * operations run as tasks on a bounded pool of workers, so the cores go to the workload.
 */
final class Fleet implements AutoCloseable {
  private final EtcdStoreConfig storeConfig;
  private final IpamConfig config;
  private final ExecutorService clientExecutor;
  private final ExecutorService workers;
  private final SharedEtcd shared;
  private final List<SimHost> hosts = new ArrayList<>();

  /** Stats of stores closed since (dead hosts), so that sums stay monotonic. */
  private EtcdStoreStats retired = zero();

  Fleet(EtcdStoreConfig storeConfig, IpamConfig config, int size, int inFlight) {
    this.storeConfig = storeConfig;
    this.config = config;
    this.clientExecutor =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), daemon("sim-etcd-client"));
    this.workers = Executors.newFixedThreadPool(Math.max(1, inFlight), daemon("sim-host-op"));
    this.shared = SharedEtcd.open(storeConfig, clientExecutor);
    try {
      // connecting is I/O bound: a few at a time
      List<CompletableFuture<SimHost>> fs = new ArrayList<>();
      ExecutorService opener =
          Executors.newFixedThreadPool(Math.min(16, size), daemon("sim-connect"));
      try {
        // the first alone: it loads gRPC and Netty, which the others then share
        hosts.add(
            SimHost.open(new HostId(String.format("host%04d", 0)), shared, storeConfig, config));
        for (int i = 1; i < size; i++) {
          HostId id = new HostId(String.format("host%04d", i));
          fs.add(
              CompletableFuture.supplyAsync(
                  () -> SimHost.open(id, shared, storeConfig, config), opener));
        }
        for (CompletableFuture<SimHost> f : fs) {
          hosts.add(f.join());
        }
      } finally {
        opener.shutdown();
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  List<SimHost> hosts() {
    return List.copyOf(hosts);
  }

  ExecutorService workers() {
    return workers;
  }

  IpamConfig config() {
    return config;
  }

  /** A host dies: its store closes without releasing anything. */
  synchronized void kill(SimHost h) {
    retired = add(retired, h.store().stats());
    closed.add(h.store());
    h.store().close();
  }

  /** The host comes back: a new store and engine under the same id, in its old place. */
  synchronized SimHost restart(SimHost dead) {
    SimHost fresh = SimHost.open(dead.id(), shared, storeConfig, config);
    hosts.set(hosts.indexOf(dead), fresh);
    return fresh;
  }

  /**
   * An extra store and engine acting as {@code id} (as the reclaim-host command opens one), counted
   * with the fleet.
   */
  synchronized SimHost operator(HostId id) {
    SimHost h = SimHost.open(id, shared, storeConfig, config);
    extras.add(h);
    return h;
  }

  private final List<SimHost> extras = new ArrayList<>();

  /** Every live store's counters plus those of stores closed earlier. */
  synchronized EtcdStoreStats stats() {
    EtcdStoreStats sum = retired;
    for (SimHost h : hosts) {
      if (!closedStore(h)) {
        sum = add(sum, h.store().stats());
      }
    }
    for (SimHost h : extras) {
      sum = add(sum, h.store().stats());
    }
    return sum;
  }

  private final java.util.Set<EtcdStateStore> closed =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  private boolean closedStore(SimHost h) {
    return closed.contains(h.store());
  }

  private static EtcdStoreStats zero() {
    return new EtcdStoreStats(0, 0, 0, 0, 0, 0, 0, 0);
  }

  private static EtcdStoreStats add(EtcdStoreStats a, EtcdStoreStats b) {
    return new EtcdStoreStats(
        a.roundTrips() + b.roundTrips(),
        a.etcdTxns() + b.etcdTxns(),
        a.transacts() + b.transacts(),
        a.conflicts() + b.conflicts(),
        a.retries() + b.retries(),
        Math.max(a.largestBatch(), b.largestBatch()),
        a.functionNanos() + b.functionNanos(),
        a.bytesWritten() + b.bytesWritten());
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public synchronized void close() {
    workers.shutdownNow();
    for (SimHost h : hosts) {
      if (!closedStore(h)) {
        h.store().close();
      }
    }
    extras.forEach(h -> h.store().close());
    shared.close();
    clientExecutor.shutdownNow();
  }
}
