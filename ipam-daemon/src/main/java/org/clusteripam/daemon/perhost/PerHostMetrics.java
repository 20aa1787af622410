package org.clusteripam.daemon.perhost;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.perhost.LbDesiredState;

/**
 * Prometheus series of the per-host loop: {@code cluster_ipam_lb_vips}, {@code
 * cluster_ipam_lb_placeholders}, {@code cluster_ipam_lb_backends} (of the last desired state),
 * {@code cluster_ipam_lb_applied} (1 when it went into kernel IPVS), {@code
 * cluster_ipam_lb_passes_total{outcome=ok|failed}} and {@code
 * cluster_ipam_catalog_keys_written_total} (catalog changes this node published).
 */
public final class PerHostMetrics {
  private final AtomicInteger vips = new AtomicInteger();
  private final AtomicInteger placeholders = new AtomicInteger();
  private final AtomicInteger backends = new AtomicInteger();
  private final AtomicInteger applied = new AtomicInteger();
  private final Counter ok;
  private final Counter failed;
  private final Counter catalogKeys;

  public PerHostMetrics(MeterRegistry registry) {
    gauge(
        registry,
        "cluster.ipam.lb.vips",
        vips,
        "Service VIPs in this host's last desired load-balancer state");
    gauge(
        registry,
        "cluster.ipam.lb.placeholders",
        placeholders,
        "Placeholders in this host's last desired load-balancer state");
    gauge(
        registry,
        "cluster.ipam.lb.backends",
        backends,
        "Backends (real servers) in this host's last desired load-balancer state");
    gauge(
        registry,
        "cluster.ipam.lb.applied",
        applied,
        "1 when the last desired state went into kernel IPVS, 0 when it was only computed");
    ok =
        Counter.builder("cluster.ipam.lb.passes")
            .tag("outcome", "ok")
            .description("Per-host loop passes")
            .register(registry);
    failed =
        Counter.builder("cluster.ipam.lb.passes")
            .tag("outcome", "failed")
            .description("Per-host loop passes")
            .register(registry);
    catalogKeys =
        Counter.builder("cluster.ipam.catalog.keys.written")
            .description("Service catalog keys this node wrote or deleted")
            .register(registry);
  }

  private static void gauge(MeterRegistry registry, String name, AtomicInteger value, String help) {
    Gauge.builder(name, value, AtomicInteger::get).description(help).register(registry);
  }

  void desired(LbDesiredState s, boolean wasApplied) {
    vips.set(s.vips().size());
    placeholders.set(s.placeholders().size());
    backends.set(backendCount(s));
    applied.set(wasApplied ? 1 : 0);
  }

  void pass(boolean succeeded) {
    (succeeded ? ok : failed).increment();
  }

  void published(int keys) {
    catalogKeys.increment(keys);
  }

  static int backendCount(LbDesiredState s) {
    return s.vips().stream().mapToInt(v -> v.backends().size()).sum();
  }
}
