package org.clusteripam.daemon.reconcile;

import io.micrometer.core.instrument.Counter;
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
    registry.gauge("cluster.ipam.reconcile.candidates", java.util.List.of(io.micrometer.core.instrument.Tag.of("kind", "leaked_address")), leakedAddresses);
    registry.gauge("cluster.ipam.reconcile.candidates", java.util.List.of(io.micrometer.core.instrument.Tag.of("kind", "leaked_pool")), leakedPools);
    registry.gauge("cluster.ipam.reconcile.candidates", java.util.List.of(io.micrometer.core.instrument.Tag.of("kind", "missing")), missing);
    registry.gauge("cluster.ipam.reconcile.candidates", java.util.List.of(io.micrometer.core.instrument.Tag.of("kind", "conflicting")), conflicting);
    registry.gauge("cluster.ipam.docker.up", dockerUp);
    registry.gauge("cluster.ipam.reconcile.last.pass.timestamp.seconds", lastPassSeconds);
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
    Counter.builder("cluster.ipam.reconcile.reclaimed").tag("kind", kind).description("Leaked allocations released by reconciliation")
        .register(registry).increment();
  }

  void recorded(String kind) {
    Counter.builder("cluster.ipam.reconcile.recorded").tag("kind", kind).description("Docker allocations missing from the store and recorded")
        .register(registry).increment();
  }
}
