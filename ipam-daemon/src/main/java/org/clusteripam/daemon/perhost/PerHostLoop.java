package org.clusteripam.daemon.perhost;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.clusteripam.core.ipam.HostAddressing;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.VipRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-host mode on this node, one pass every interval on one daemon thread: on a swarm manager,
 * publish the service catalog read from Docker; keep this host's own service VIPs in step with the
 * catalog; compute this host's load-balancer plan; apply it (kernel IPVS, or nothing). Every
 * decision is the engine's; this loop only sequences the steps and survives their failures (store
 * or Docker down): a failed step is logged when its error changes and retried next pass.
 */
public final class PerHostLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PerHostLoop.class);

  /** The last computed plan, whether it went into the kernel, and when. */
  public record Snapshot(LbDesiredState state, boolean applied, Instant at) {}

  private final HostAddressing engine;
  private final HostId node;
  private final CatalogSource catalog;
  private final LbApplier applier;
  private final PerHostRouting routing;
  private final RouteApplier routeApplier;
  private AutoCloseable watch;
  private final java.util.concurrent.atomic.AtomicBoolean routePassQueued =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Duration interval;
  private final PerHostMetrics metrics;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final AtomicReference<Snapshot> last = new AtomicReference<>();
  private final AtomicReference<org.clusteripam.core.perhost.RoutePlan> lastRoutes =
      new AtomicReference<>();

  /**
   * Every per-host pool seen by this process: the frontends of a pool deleted since are still this
   * load balancer's to drain and remove.
   */
  private final Set<IpPrefix> managedPools = new TreeSet<>();

  private final Map<String, String> failing = new HashMap<>();
  private String catalogState;
  private List<String> catalogSkipped = List.of();
  private Snapshot logged;
  private DataPathPreflight preflight;
  private ServiceResolver resolver;
  private List<DataPathPreflight.Missing> preflightLogged;
  private TaskSource tasks;
  private List<String> tasksSkipped = List.of();

  public PerHostLoop(
      HostAddressing engine,
      HostId node,
      CatalogSource catalog,
      LbApplier applier,
      Duration interval,
      PerHostMetrics metrics,
      Clock clock) {
    this(
        engine,
        node,
        catalog,
        applier,
        PerHostRouting.off(),
        RouteApplier.none(),
        interval,
        metrics,
        clock);
  }

  /**
   * With routing: this host publishes {@code routing}'s advertised address and keeps kernel routes
   * to the other hosts' blocks, every pass and whenever the store's pools or advertised addresses
   * change.
   */
  public PerHostLoop(
      HostAddressing engine,
      HostId node,
      CatalogSource catalog,
      LbApplier applier,
      PerHostRouting routing,
      RouteApplier routeApplier,
      Duration interval,
      PerHostMetrics metrics,
      Clock clock) {
    this.routing = routing;
    this.routeApplier = routeApplier;
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("--lb-interval must be positive, got " + interval);
    }
    this.engine = engine;
    this.node = node;
    this.catalog = catalog;
    this.applier = applier;
    this.interval = interval;
    this.metrics = metrics;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ipam-perhost");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Checks {@code p} on every route pass and logs what the data path still lacks whenever that
   * changes (call before {@link #start()}).
   */
  public synchronized PerHostLoop withPreflight(DataPathPreflight p) {
    this.preflight = p;
    return this;
  }

  /**
   * Publishes this node's running tasks (their actual addresses, read from its own Docker) every
   * pass (call before {@link #start()}); without one this node publishes nothing.
   */
  public synchronized PerHostLoop withTaskSource(TaskSource source) {
    this.tasks = source;
    return this;
  }

  /** What the last preflight found missing; empty when it found nothing or never ran. */
  public synchronized List<DataPathPreflight.Missing> lastPreflight() {
    return preflightLogged == null ? List.of() : preflightLogged;
  }

  /** First pass now, then one every interval (after the previous one ends). */
  public PerHostLoop start() {
    if (routing.advertise().isPresent()) {
      try {
        watch = engine.watchRoutePlanInputs(this::queueRoutePass);
      } catch (RuntimeException e) {
        LOG.warn(
            "event=route_watch_unavailable error=\"{}\" action=\"routes follow the store every {}\"",
            e.toString(),
            interval);
      }
    }
    if (!routing.dnsListen().isEmpty()) {
      // Answers from the last plan: the first pass runs at once, so a restarted daemon answers
      // within one pass.
      resolver = ServiceResolver.listen(routing.dnsListen(), () -> last().map(Snapshot::state));
    }
    timer.scheduleWithFixedDelay(this::safePass, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** One route pass soon, however many store changes arrive before it runs. */
  private void queueRoutePass() {
    if (routePassQueued.compareAndSet(false, true)) {
      try {
        timer.execute(
            () -> {
              routePassQueued.set(false);
              try {
                routePass();
              } catch (RuntimeException | LinkageError e) {
                LOG.error("event=route_pass_failed error=\"{}\"", e.toString(), e);
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        routePassQueued.set(false); // closing
      }
    }
  }

  /**
   * Publishes this host's advertised address and brings its routes in line with the store; false
   * when a step failed.
   */
  public synchronized boolean routePass() {
    if (routing.advertise().isEmpty()) {
      return true;
    }
    preflight();
    boolean ok = step("advertise", () -> engine.advertise(node, routing.advertise().get())) != null;
    org.clusteripam.core.perhost.RoutePlan plan = step("route_plan", () -> engine.routePlan(node));
    if (plan == null) {
      return false;
    }
    ok &=
        step(
                "routes",
                () -> {
                  routeApplier.apply(plan);
                  return Boolean.TRUE;
                })
            != null;
    lastRoutes.set(plan);
    return ok;
  }

  private void preflight() {
    if (preflight == null) {
      return;
    }
    List<DataPathPreflight.Missing> missing = preflight.check();
    if (missing.equals(preflightLogged)) {
      return;
    }
    if (missing.isEmpty()) {
      LOG.info("event=datapath_preflight ok=true");
    } else {
      LOG.warn(
          "event=datapath_preflight ok=false missing=\"{}\" action=\"routes and IPVS are programmed; traffic needing these fails until the operator sets them\"",
          missing.stream()
              .map(Object::toString)
              .collect(java.util.stream.Collectors.joining("; ")));
    }
    preflightLogged = missing;
  }

  /** The route plan of the last route pass; empty before or without routing. */
  public Optional<org.clusteripam.core.perhost.RoutePlan> lastRoutes() {
    return Optional.ofNullable(lastRoutes.get());
  }

  /** The plan of the last pass that computed one; empty before. */
  public Optional<Snapshot> last() {
    return Optional.ofNullable(last.get());
  }

  private void safePass() {
    try {
      pass();
    } catch (RuntimeException | LinkageError e) {
      // pass() handles its steps' failures; this is a bug's last line of defence: keep the thread.
      LOG.error("event=perhost_pass_failed error=\"{}\"", e.toString(), e);
    }
  }

  /** One pass; returns whether every step succeeded. */
  public synchronized boolean pass() {
    boolean routed = routePass();
    List<IpPrefix> pools = step("pools", engine::perHostPools);
    if (pools == null) {
      metrics.pass(false);
      return false;
    }
    managedPools.addAll(pools);
    // No per-host pool, no catalog to publish (the engine keeps catalogs of per-host pools only):
    // Docker is not asked at all.
    boolean ok = pools.isEmpty() || publishCatalog(Set.copyOf(pools));
    ok &= pools.isEmpty() || publishTasks(Set.copyOf(pools));
    ok &= routed;
    ok &= step("vips", () -> engine.syncServiceVips(node)) != null;
    LbDesiredState state = step("desired", () -> engine.lbDesiredState(node));
    if (state == null) {
      metrics.pass(false);
      return false;
    }
    state.vips().stream().map(VipRoute::pool).forEach(managedPools::add);
    state.placeholders().stream().map(PlaceholderRoute::pool).forEach(managedPools::add);
    // A host that never saw a per-host pool leaves the kernel alone (no IPVS probe, no log line).
    Boolean applied =
        managedPools.isEmpty()
            ? Boolean.FALSE
            : step("apply", () -> applier.apply(state, List.copyOf(managedPools)));
    ok &= applied != null;
    Snapshot s = new Snapshot(state, applied != null && applied, clock.instant());
    last.set(s);
    metrics.desired(state, s.applied());
    if (logged == null || !logged.state().equals(s.state()) || logged.applied() != s.applied()) {
      LOG.info(
          "event=lb_desired host={} vips={} placeholders={} backends={} applied={}",
          node,
          state.vips().size(),
          state.placeholders().size(),
          PerHostMetrics.backendCount(state),
          s.applied());
      logged = s;
    }
    metrics.pass(ok);
    return ok;
  }

  /**
   * This node's running tasks, read from its own Docker, replace its publication; nothing when
   * Docker cannot be read.
   */
  private boolean publishTasks(Set<IpPrefix> perHostPools) {
    if (tasks == null) {
      return true;
    }
    TaskSource.LocalTasks read = step("tasks_read", () -> tasks.read(perHostPools));
    if (read == null) {
      return false;
    }
    if (!read.skipped().equals(tasksSkipped)) {
      if (!read.skipped().isEmpty()) {
        LOG.warn(
            "event=task_entries_skipped count={} entries=\"{}\"",
            read.skipped().size(),
            String.join("; ", read.skipped()));
      }
      tasksSkipped = read.skipped();
    }
    Integer changed = step("tasks_publish", () -> engine.publishTasks(node, read.byPool()));
    if (changed == null) {
      return false;
    }
    if (changed > 0) {
      LOG.info(
          "event=tasks_published host={} pools={} tasks={} keys_changed={}",
          node,
          read.byPool().size(),
          read.byPool().values().stream().mapToInt(List::size).sum(),
          changed);
    }
    return true;
  }

  /**
   * On a manager: the catalog read from Docker replaces the stored one. Nothing when it cannot be
   * read.
   */
  private boolean publishCatalog(Set<IpPrefix> perHostPools) {
    CatalogRead read = step("catalog_read", () -> catalog.read(perHostPools));
    if (read == null) {
      return false;
    }
    if (!read.state().equals(catalogState)) {
      if (read instanceof CatalogRead.NotManager n) {
        LOG.info(
            "event=catalog_source state=not_manager node_state=\"{}\" action=\"the managers publish\"",
            n.nodeState());
      } else if (read instanceof CatalogRead.Unavailable u) {
        LOG.warn(
            "event=catalog_source state=docker_unavailable reason=\"{}\" action=\"nothing published; the stored catalog stays\"",
            u.reason());
      } else {
        LOG.info("event=catalog_source state=manager action=\"publishing the service catalog\"");
      }
      catalogState = read.state();
    }
    if (!(read instanceof CatalogRead.Catalog c)) {
      return true;
    }
    if (!c.skipped().equals(catalogSkipped)) {
      if (!c.skipped().isEmpty()) {
        LOG.warn(
            "event=catalog_entries_skipped count={} entries=\"{}\"",
            c.skipped().size(),
            String.join("; ", c.skipped()));
      }
      catalogSkipped = c.skipped();
    }
    Integer changed = step("catalog_publish", () -> engine.publishCatalog(c.byPool()));
    if (changed == null) {
      return false;
    }
    if (changed > 0) {
      metrics.published(changed);
      LOG.info(
          "event=catalog_published pools={} services={} keys_changed={}",
          c.byPool().size(),
          c.byPool().values().stream().mapToInt(List::size).sum(),
          changed);
    }
    return true;
  }

  /** Runs one step; null when it failed (logged when its error is new, recovery logged too). */
  private <T> T step(String name, java.util.function.Supplier<T> body) {
    try {
      T result = body.get();
      if (failing.remove(name) != null) {
        LOG.info("event=perhost_step_recovered step={}", name);
      }
      return result;
    } catch (RuntimeException e) {
      String message = e.toString();
      if (!message.equals(failing.put(name, message))) {
        LOG.warn(
            "event=perhost_step_failed step={} error=\"{}\" action=\"retrying every {}\"",
            name,
            message,
            interval);
      } else {
        LOG.debug("event=perhost_step_failed step={} error=\"{}\"", name, message);
      }
      return null;
    }
  }

  /**
   * Stops the loop (waits briefly for a running pass, so the store is not closed under it), then
   * the applier.
   */
  @Override
  public void close() {
    if (watch != null) {
      try {
        watch.close();
      } catch (Exception e) {
        LOG.debug("event=route_watch_close_failed error=\"{}\"", e.toString());
      }
    }
    if (resolver != null) {
      resolver.close();
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    applier.close();
    routeApplier.close();
  }
}
