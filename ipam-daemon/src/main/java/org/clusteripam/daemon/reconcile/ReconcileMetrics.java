package org.clusteripam.daemon.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.clusteripam.core.reconcile.Finding;
import org.clusteripam.core.reconcile.LeakDecider;

/** Prometheus series of reconciliation: candidates by kind, reclamations, Docker reachability. */
public final class ReconcileMetrics {
  private final MeterRegistry registry;
  private final AtomicInteger leakedAddresses = new AtomicInteger();
  private final AtomicInteger leakedPools = new AtomicInteger();
  private final AtomicInteger missing = new AtomicInteger();
  private final AtomicInteger conflicting = new AtomicInteger();
  private final AtomicInteger dockerUp = new AtomicInteger();
  private final AtomicLong lastPassSeconds = new AtomicLong();

  public ReconcileMetrics(MeterRegistry registry) {
    this.registry = registry;
    String candidates =
        "Findings of the last reconciliation pass, by kind (a leak is released only after the grace period)";
    candidates(registry, "leaked_address", leakedAddresses, candidates);
    candidates(registry, "leaked_pool", leakedPools, candidates);
    candidates(registry, "missing", missing, candidates);
    candidates(registry, "conflicting", conflicting, candidates);
    Gauge.builder("cluster.ipam.docker.up", dockerUp, AtomicInteger::get)
        .description(
            "1 when the last reconciliation pass could read Docker, 0 when Docker did not answer")
        .register(registry);
    Gauge.builder(
            "cluster.ipam.reconcile.last.pass.timestamp.seconds", lastPassSeconds, AtomicLong::get)
        .description("When the last reconciliation pass finished, in seconds since the epoch")
        .register(registry);
  }

  private static void candidates(
      MeterRegistry registry, String kind, AtomicInteger value, String help) {
    Gauge.builder("cluster.ipam.reconcile.candidates", value, AtomicInteger::get)
        .tag("kind", kind)
        .description(help)
        .register(registry);
  }

  void observed(LeakDecider.Decision d, long epochSeconds) {
    leakedAddresses.set(d.of(Finding.LeakedAddress.class).size());
    leakedPools.set(d.of(Finding.LeakedPool.class).size());
    missing.set(d.of(Finding.MissingAddress.class).size() + d.of(Finding.MissingPool.class).size());
    conflicting.set(d.of(Finding.ConflictingAddress.class).size());
    lastPassSeconds.set(epochSeconds);
  }

  void dockerUp(boolean up) {
    dockerUp.set(up ? 1 : 0);
  }

  void reclaimed(String kind) {
    Counter.builder("cluster.ipam.reconcile.reclaimed")
        .tag("kind", kind)
        .description("Leaked allocations released by reconciliation")
        .register(registry)
        .increment();
  }

  void recorded(String kind) {
    Counter.builder("cluster.ipam.reconcile.recorded")
        .tag("kind", kind)
        .description("Docker allocations missing from the store and recorded")
        .register(registry)
        .increment();
  }
}
