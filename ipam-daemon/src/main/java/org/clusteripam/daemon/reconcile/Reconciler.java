package org.clusteripam.daemon.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.reconcile.DockerState;
import org.clusteripam.core.reconcile.Finding;
import org.clusteripam.core.reconcile.LeakDecider;
import org.clusteripam.core.reconcile.LeakRelease;
import org.clusteripam.core.reconcile.StoreView;
import org.clusteripam.core.reconcile.Suspect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker trumps the store, the store trumps memory: periodically (and soon after Docker network
 * events) compares Docker with the store and applies {@link LeakDecider}'s decision. The plugin
 * keeps serving whatever happens here; Docker being unreachable only pauses reconciliation, loudly.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  private final IpamQueries queries;
  private final DriverIpam ipam;
  private final DockerApi docker;
  private final HostId node;
  private final Duration interval;
  private final Duration grace;
  private final ReconcileMetrics metrics;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean eventPassQueued = new AtomicBoolean();
  private volatile boolean closed;
  private Thread events;
  private Map<String, Suspect> suspects = new HashMap<>();
  private boolean startupDone;
  private boolean dockerWasDown;

  public Reconciler(
      IpamQueries queries,
      DriverIpam ipam,
      DockerApi docker,
      HostId node,
      Duration interval,
      Duration grace,
      ReconcileMetrics metrics,
      Clock clock) {
    this.queries = queries;
    this.ipam = ipam;
    this.docker = docker;
    this.node = node;
    this.interval = interval;
    this.grace = grace;
    this.metrics = metrics;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ipam-reconcile");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * First pass now (the startup pass, which records what Docker has), then every interval; follows
   * Docker's network events.
   */
  public void start() {
    timer.scheduleWithFixedDelay(this::safePass, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    events = new Thread(this::followEvents, "ipam-docker-events");
    events.setDaemon(true);
    events.start();
  }

  private void followEvents() {
    while (!closed) {
      try {
        docker.followNetworkEvents(
            action -> {
              // A destroyed network or a disconnected endpoint may leave something to reclaim.
              if (eventPassQueued.compareAndSet(false, true)) {
                timer.schedule(
                    () -> {
                      eventPassQueued.set(false);
                      safePass();
                    },
                    1,
                    TimeUnit.SECONDS);
              }
            });
      } catch (RuntimeException e) {
        LOG.debug("event=docker_events_lost error=\"{}\"", e.getMessage());
      }
      sleep(Duration.ofSeconds(5));
    }
  }

  private void safePass() {
    if (closed) {
      return;
    }
    try {
      pass();
    } catch (RuntimeException e) {
      LOG.error("event=reconcile_failed error=\"{}\"", e.toString(), e);
    }
  }

  /** One reconciliation pass; returns the decision, or empty when Docker could not be read. */
  public synchronized Optional<LeakDecider.Decision> pass() {
    return pass(true);
  }

  private Optional<LeakDecider.Decision> pass(boolean mayRepeatStartup) {
    long revision = queries.revision(); // BEFORE reading Docker: the guard of every release
    DockerState dockerState;
    try {
      dockerState = docker.read();
    } catch (DockerApi.DockerUnavailableException e) {
      metrics.dockerUp(false);
      LOG.warn(
          "event=docker_unreachable error=\"{}\" action=\"reconciliation waits; the plugin keeps serving from the store\"",
          e.getMessage());
      dockerWasDown = true;
      return Optional.empty();
    }
    metrics.dockerUp(true);
    if (dockerWasDown) {
      LOG.info("event=docker_reachable_again");
      dockerWasDown = false;
    }
    StoreView view = queries.storeView(revision, node);
    LeakDecider.Decision d =
        LeakDecider.decide(node, view, dockerState, suspects, clock.instant(), grace);
    suspects = new HashMap<>(d.suspects());
    metrics.observed(d, clock.instant().getEpochSecond());
    boolean startup = !startupDone;
    if (startup) {
      // A leave cut off between marking its pool for deletion and deleting it (this host crashed).
      List<org.clusteripam.core.net.IpPrefix> deleted = ipam.finishDeletions();
      if (!deleted.isEmpty()) {
        LOG.info(
            "event=pools_deleted pools={} why=\"their last holder's leave was interrupted\"",
            deleted);
      }
    }
    List<Finding> recordable = d.recordable(startup);
    for (Finding f : recordable) {
      record(f);
    }
    startupDone = true;
    if (startup
        && mayRepeatStartup
        && recordable.stream().anyMatch(f -> f instanceof Finding.MissingPool)) {
      // The addresses of a pool just recorded are compared only now: record them in this startup
      // pass too, before the engine can hand one of them out again.
      startupDone = false;
      return pass(false);
    }
    if (!d.releasable().isEmpty()) {
      release(d.releasable());
    }
    if (!d.findings().isEmpty()) {
      LOG.info(
          "event=reconcile_pass revision={} networks={} findings={} released={}",
          revision,
          dockerState.networks().size(),
          d.findings().size(),
          d.releasable().size());
    }
    return Optional.of(d);
  }

  private void record(Finding f) {
    try {
      if (f instanceof Finding.MissingPool m) {
        ipam.requestPool(
            new PoolRequest(
                node,
                ipam.addressSpaces().local(),
                Optional.of(m.subnet()),
                m.ipRange(),
                Map.of(),
                m.subnet().family() == org.clusteripam.core.net.IpFamily.IPV6));
        metrics.recorded("pool");
        LOG.warn("event=recorded_missing_pool network={} subnet={}", m.network(), m.subnet());
      } else if (f instanceof Finding.MissingAddress m) {
        ipam.requestAddress(
            new AddressRequest(
                node,
                m.pool(),
                Optional.of(m.address()),
                m.gateway() ? AddressKind.GATEWAY : AddressKind.ENDPOINT,
                Map.of()));
        metrics.recorded("address");
        LOG.warn(
            "event=recorded_missing_address network={} pool={} address={}",
            m.network(),
            m.pool(),
            m.address());
      }
    } catch (RuntimeException e) {
      LOG.error("event=record_failed finding=\"{}\" error=\"{}\"", f, e.getMessage());
    }
  }

  /**
   * Releases leaks by core's rules ({@link LeakRelease}): after one more look at Docker and the
   * store, so that an address that became live or was re-allocated since the decision is kept.
   */
  private void release(List<Finding> leaks) {
    for (LeakRelease.Outcome o :
        LeakRelease.release(
            leaks,
            node,
            () -> Optional.of(docker.read()),
            () -> queries.storeView(queries.revision(), node),
            ipam)) {
      if (o instanceof LeakRelease.Postponed p) {
        LOG.warn(
            "event=release_postponed reason=docker_unreachable error=\"{}\"", p.why().getMessage());
      } else if (o instanceof LeakRelease.Kept k && k.leak() instanceof Finding.LeakedAddress l) {
        LOG.info(
            "event=release_skipped pool={} address={} live={} changed={}",
            l.pool(),
            l.address(),
            k.live(),
            k.changed());
      } else if (o instanceof LeakRelease.Released r
          && r.leak() instanceof Finding.LeakedAddress l) {
        metrics.reclaimed("address");
        LOG.warn(
            "event=reclaimed_address pool={} address={} reason=\"not in Docker for two passes and the grace period\"",
            l.pool(),
            l.address());
      } else if (o instanceof LeakRelease.Released r && r.leak() instanceof Finding.LeakedPool l) {
        metrics.reclaimed("pool");
        LOG.warn(
            "event=reclaimed_pool pool={} subnet={} reason=\"no Docker network for two passes and the grace period\"",
            l.pool(),
            l.subnet());
      }
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    if (events != null) {
      events.interrupt();
    }
  }
}
