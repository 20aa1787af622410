package org.clusteripam.daemon.cni;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.cni.Attachment;
import org.clusteripam.core.cni.CniIpam;
import org.clusteripam.core.cni.CniLeakDecider;
import org.clusteripam.core.reconcile.Suspect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases CNI attachments whose DEL never came: the network namespace is gone, or the attachment
 * was added under an earlier boot. {@link CniLeakDecider} decides; just before each release the
 * namespace is looked at again, and the release is conditional on the attachment being the one seen
 * (a container re-added meanwhile keeps its addresses).
 */
public final class CniReconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CniReconciler.class);
  private final CniIpam cni;
  private final String bootId;
  private final Duration interval;
  private final Duration grace;
  private final Clock clock;
  private final MeterRegistry registry;
  private final AtomicInteger attachments = new AtomicInteger();
  private final AtomicInteger candidates = new AtomicInteger();
  private final ScheduledExecutorService timer;
  private Map<String, Suspect> suspects = new HashMap<>();

  public CniReconciler(
      CniIpam cni,
      String bootId,
      Duration interval,
      Duration grace,
      Clock clock,
      MeterRegistry registry) {
    this.cni = cni;
    this.bootId = bootId;
    this.interval = interval;
    this.grace = grace;
    this.clock = clock;
    this.registry = registry;
    Gauge.builder("cluster.ipam.cni.attachments", attachments, AtomicInteger::get)
        .description(
            "CNI attachments of this host in the store (each holds one address per family)")
        .register(registry);
    Gauge.builder("cluster.ipam.reconcile.candidates", candidates, AtomicInteger::get)
        .tags(List.of(Tag.of("kind", "leaked_cni_attachment")))
        .description(
            "Findings of the last reconciliation pass, by kind (a leak is released only after the grace period)")
        .register(registry);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ipam-cni-reconcile");
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::safePass, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void safePass() {
    try {
      pass();
    } catch (RuntimeException e) {
      LOG.warn("event=cni_reconcile_failed error=\"{}\"", e.toString());
    }
  }

  /** One pass; returns the decision. */
  public synchronized CniLeakDecider.Decision pass() {
    List<Attachment> all = cni.attachments();
    attachments.set(all.size());
    CniLeakDecider.Decision d =
        CniLeakDecider.decide(all, presentNetns(all), bootId, suspects, clock.instant(), grace);
    suspects = new HashMap<>(d.suspects());
    candidates.set(d.leaks().size());
    for (CniLeakDecider.Leak leak : d.releasable()) {
      Attachment a = leak.attachment();
      // One more look at the namespace right before the release.
      if (CniLeakDecider.reason(a, presentNetns(List.of(a)), bootId) == null) {
        LOG.info("event=cni_release_skipped attachment=\"{}\" reason=\"netns is back\"", a.id());
        continue;
      }
      if (!cni.releaseIfUnchanged(a.id(), a.sinceMillis())) {
        LOG.info("event=cni_release_skipped attachment=\"{}\" reason=\"changed since\"", a.id());
        continue;
      }
      Counter.builder("cluster.ipam.reconcile.reclaimed")
          .tag("kind", "cni_attachment")
          .description("Leaked allocations released by reconciliation")
          .register(registry)
          .increment();
      LOG.warn(
          "event=reclaimed_cni_attachment network={} container={} ifname={} addresses={} reason=\"{} (no DEL came)\"",
          a.id().network(),
          a.id().containerId(),
          a.id().ifname(),
          a.ips().stream().map(i -> i.address().toString()).toList(),
          leak.reason().text());
    }
    return d;
  }

  private static Set<String> presentNetns(List<Attachment> all) {
    Set<String> out = new HashSet<>();
    for (Attachment a : all) {
      if (!a.netns().isEmpty() && exists(a.netns())) {
        out.add(a.netns());
      }
    }
    return out;
  }

  /**
   * Without following links: /proc/PID/ns/net is a link to "net:[inode]" while the process lives.
   */
  private static boolean exists(String netns) {
    try {
      return Files.exists(Path.of(netns), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.InvalidPathException e) {
      return false;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
