package org.clusteripam.sim;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.etcd.EtcdStateStore;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.etcd.EtcdStoreStats;

/**
 * What creating one more pool costs in store bytes when the store holds none, 10, 2,000 and {@code
 * count} pools: a few creations, one at a time, at each point. The pools in between are created 64
 * at a time (group-committed), which is quick however the layout scales; on an etcd that outlives
 * the run they are deleted the same way afterwards.
 */
final class PoolBytes {
  private static final int SAMPLES = 5;

  /** Creations number {@code at} to {@code at + SAMPLES - 1}: bytes and latency per creation. */
  record Point(int at, double bytes, double ms) {
    String markdown() {
      return Double.isNaN(bytes)
          ? String.format(Locale.ROOT, "| pool #%d | every creation failed | |", at)
          : String.format(Locale.ROOT, "| pool #%d | %.0f B | %.1f ms |", at, bytes, ms);
    }
  }

  /** Bytes per creation at each point (pool 10 and pool {@code count} among them). */
  record Result(List<Point> points, long failures, List<String> errors, int created, int count) {
    double bytesAtSmall() {
      return at(10).bytes();
    }

    double bytesAtCount() {
      return at(count).bytes();
    }

    private Point at(int n) {
      return points.stream().filter(p -> p.at() == n).findFirst().orElseThrow();
    }

    String markdown() {
      StringBuilder sb = new StringBuilder();
      for (Point p : points) {
        sb.append(p.markdown()).append(System.lineSeparator());
      }
      if (created < count) {
        sb.append("| (pools that existed at the end) | ").append(created).append(" | |");
      }
      return sb.toString().stripTrailing();
    }
  }

  private PoolBytes() {}

  /**
   * With {@code cleanUp} the pools are deleted afterwards (not needed on an etcd thrown away after
   * the run).
   */
  static Result run(EtcdStoreConfig storeConfig, IpamConfig config, int count, boolean cleanUp) {
    List<String> errors = new ArrayList<>();
    long[] failures = {0};
    List<PoolId> made = new ArrayList<>();
    HostId host = new HostId("pool-maker");
    ExecutorService many = Executors.newFixedThreadPool(64);
    try (EtcdStateStore store = EtcdStateStore.connect(storeConfig)) {
      DriverIpam ipam = IpamEngine.open(store, config, Clock.systemUTC()).driver();
      PoolRequest req =
          new PoolRequest(
              host,
              ipam.addressSpaces().local(),
              Optional.empty(),
              Optional.empty(),
              Map.of(),
              false);
      List<Point> points = new ArrayList<>();
      for (int at : new java.util.TreeSet<>(List.of(1, 10, Math.min(2000, count), count))) {
        if (at <= made.size()) {
          continue;
        }
        fill(ipam, req, at - 1, made, many, failures, errors);
        double[] got = sample(store, ipam, req, made, failures, errors);
        points.add(new Point(at, got[0], got[1]));
      }
      List<CompletableFuture<Void>> fs = new ArrayList<>();
      for (PoolId id : cleanUp ? made : List.<PoolId>of()) {
        fs.add(CompletableFuture.runAsync(() -> ipam.releasePool(host, id), many));
      }
      for (CompletableFuture<Void> f : fs) {
        try {
          f.join();
        } catch (RuntimeException e) {
          failures[0]++;
          if (errors.size() < 5) {
            errors.add("delete: " + e.getMessage());
          }
        }
      }
      return new Result(points, failures[0], errors, made.size(), count);
    } finally {
      many.shutdownNow();
    }
  }

  /** Creates pools 64 at a time until {@code made} holds {@code upTo}. */
  private static void fill(
      DriverIpam ipam,
      PoolRequest req,
      int upTo,
      List<PoolId> made,
      ExecutorService many,
      long[] failures,
      List<String> errors) {
    List<CompletableFuture<PoolId>> fs = new ArrayList<>();
    for (int i = made.size(); i < upTo; i++) {
      fs.add(CompletableFuture.supplyAsync(() -> ipam.requestPool(req).id(), many));
    }
    for (CompletableFuture<PoolId> f : fs) {
      try {
        made.add(f.join());
      } catch (RuntimeException e) {
        failures[0]++;
        if (errors.size() < 5) {
          errors.add("create: " + e.getMessage());
        }
      }
    }
  }

  /** {bytes, ms} per creation over {@link #SAMPLES} creations one after another. */
  private static double[] sample(
      EtcdStateStore store,
      DriverIpam ipam,
      PoolRequest req,
      List<PoolId> made,
      long[] failures,
      List<String> errors) {
    EtcdStoreStats before = store.stats();
    long t0 = System.nanoTime();
    int ok = 0;
    for (int i = 0; i < SAMPLES; i++) {
      try {
        made.add(ipam.requestPool(req).id());
        ok++;
      } catch (RuntimeException e) {
        failures[0]++;
        if (errors.size() < 5) {
          errors.add("create: " + e.getMessage());
        }
      }
    }
    if (ok == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double ms = (System.nanoTime() - t0) / 1e6 / ok;
    return new double[] {store.stats().minus(before).bytesWritten() / (double) ok, ms};
  }
}
