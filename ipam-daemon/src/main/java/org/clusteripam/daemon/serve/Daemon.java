package org.clusteripam.daemon.serve;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.clusteripam.core.engine.ConfigMismatchException;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreException;
import org.clusteripam.daemon.cli.CheckRun;
import org.clusteripam.daemon.cli.ShowCommand;
import org.clusteripam.daemon.cni.CniService;
import org.clusteripam.daemon.metrics.CapacityGauges;
import org.clusteripam.daemon.metrics.MetricsServer;
import org.clusteripam.daemon.perhost.IpvsApplier;
import org.clusteripam.daemon.perhost.KernelRouteApplier;
import org.clusteripam.daemon.perhost.LbEndpoint;
import org.clusteripam.daemon.perhost.PerHostLoop;
import org.clusteripam.daemon.perhost.PerHostMetrics;
import org.clusteripam.daemon.perhost.RouteApplier;
import org.clusteripam.daemon.perhost.SwarmCatalogReader;
import org.clusteripam.daemon.reconcile.DockerApi;
import org.clusteripam.daemon.reconcile.ReconcileMetrics;
import org.clusteripam.daemon.reconcile.Reconciler;
import org.clusteripam.daemon.trace.CallTraceLog;
import org.clusteripam.docker.server.PluginServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: store → engine → {@link DriverChain} (stale-hold recovery, timing) → plugin
 * socket (which traces Docker's calls with {@code --trace-calls}), plus metrics and reconciliation.
 * The metrics listener is bound first, then the socket as soon as the engine is open (Docker gives
 * a plugin ~10 s); metrics serving and reconciliation start after. {@link #close()} drains
 * in-flight calls first.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  private final StateStore store;
  private final PluginServer server;
  private final Optional<MetricsServer> metrics;
  private final Reconciler reconciler;
  private final PerHostLoop perHost;
  private final DockerApi docker;
  private final Duration startup;
  private final Optional<CniService> cni;
  private boolean closed;

  private Daemon(
      StateStore store,
      PluginServer server,
      Optional<MetricsServer> metrics,
      Reconciler reconciler,
      PerHostLoop perHost,
      DockerApi docker,
      Duration startup,
      Optional<CniService> cni) {
    this.store = store;
    this.server = server;
    this.metrics = metrics;
    this.reconciler = reconciler;
    this.perHost = perHost;
    this.docker = docker;
    this.startup = startup;
    this.cni = cni;
  }

  /**
   * Kernel IPVS as {@code --load-balancer} says, with its frontends made local; nothing for off.
   */
  private static org.clusteripam.daemon.perhost.LbApplier lbApplier(DaemonConfig c) {
    if (c.loadBalancer() == org.clusteripam.daemon.perhost.LoadBalancerMode.OFF) {
      return org.clusteripam.daemon.perhost.LbApplier.none();
    }
    return org.clusteripam.daemon.perhost.LocalFrontends.over(
        IpvsApplier.forMode(c.loadBalancer(), Clock.systemUTC()), c.routing().protocol());
  }

  /** A start failure with a message for the operator (the process exits 1 with it). */
  public static final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static Daemon start(DaemonConfig c) throws StartupException {
    long t0 = System.nanoTime();
    StateStore store;
    try {
      store = c.store().open();
    } catch (StoreException | IllegalArgumentException e) {
      throw new StartupException(
          "cannot open the " + c.store().describe() + ": " + e.getMessage(), e);
    }
    PluginServer server = null;
    Optional<MetricsServer> metricsServer = Optional.empty();
    DockerApi docker = null;
    Reconciler reconciler = null;
    PerHostLoop perHost = null;
    Optional<CniService> cni = Optional.empty();
    try {
      IpamEngine engine;
      try {
        engine = IpamEngine.open(store, c.ipam(), Clock.systemUTC());
      } catch (ConfigMismatchException | StoreException e) {
        throw new StartupException(e.getMessage(), e);
      }
      HostLease.keep(store, c.node());
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      // Docker is reached only after the socket is up (Docker gives a plugin ~10 s to start).
      java.util.concurrent.atomic.AtomicReference<DockerApi> dockerRef =
          new java.util.concurrent.atomic.AtomicReference<>();
      Ipam served =
          DriverChain.served(
              engine.driver(),
              registry,
              () -> Optional.ofNullable(dockerRef.get()).map(DockerApi::read),
              Clock.systemUTC(),
              c.staleIpGrace());
      // Every listener is bound before the plugin socket exists and before "ready": a taken metrics
      // port must fail the start, not kill a daemon Docker already uses.
      CapacityGauges capacity = new CapacityGauges(registry, engine.queries());
      if (c.metrics().isPresent()) {
        try {
          metricsServer =
              Optional.of(MetricsServer.create(c.metrics().get(), registry, capacity::refresh));
        } catch (IOException e) {
          throw new StartupException(
              "cannot serve metrics on "
                  + c.metrics().get()
                  + ": "
                  + e.getMessage()
                  + " (use --metrics off or another port)",
              e);
        }
      }
      if (c.cniSocket().isPresent()) {
        try {
          cni =
              Optional.of(
                  CniService.start(
                      c.cniSocket().get(),
                      engine.cni(c.node()),
                      c.reconcileInterval(),
                      c.leakGrace(),
                      registry));
        } catch (org.clusteripam.daemon.cni.CniSocketServer.BusyException e) {
          if (!c.cniSocket().get().equals(DaemonConfig.DEFAULT_CNI_SOCKET)) {
            throw new StartupException(
                e.getMessage() + " (use --cni-socket off or another path)", e);
          }
          // The default path, taken by another daemon (several test daemons on one host): Docker's
          // side still serves.
          LOG.warn("event=cni_off reason=\"{}\"", e.getMessage());
        } catch (IOException e) {
          throw new StartupException(
              String.valueOf(e.getMessage()) + " (use --cni-socket off or another path)", e);
        }
      }
      try {
        org.clusteripam.docker.server.PluginServerOptions options =
            org.clusteripam.docker.server.PluginServerOptions.defaults();
        server =
            PluginServer.start(
                c.socket(),
                served,
                c.node(),
                c.traceCalls() ? options.withCallTrace(CallTraceLog.sink()) : options);
      } catch (IOException e) {
        throw new StartupException(String.valueOf(e.getMessage()), e);
      }
      Duration ready = Duration.ofNanos(System.nanoTime() - t0);
      LOG.info(
          "event=ready socket={} node={} store=\"{}\" startup_ms={}",
          c.socket(),
          c.node(),
          store.describe(),
          ready.toMillis());
      if (c.traceCalls()) {
        LOG.info("event=trace_calls_on logger={}", CallTraceLog.LOGGER);
      }

      docker = new DockerApi(c.dockerHost(), c.driverName());
      dockerRef.set(docker);
      RouteApplier routes =
          c.routing().advertise().isPresent()
              ? KernelRouteApplier.open(c.routing().protocol())
              : RouteApplier.none();
      perHost =
          new PerHostLoop(
                  engine.perHost(),
                  c.node(),
                  SwarmCatalogReader.over(docker),
                  lbApplier(c),
                  c.routing(),
                  routes,
                  c.lbInterval(),
                  new PerHostMetrics(registry),
                  Clock.systemUTC())
              .withPreflight(org.clusteripam.daemon.perhost.DataPathPreflight.system())
              .withTaskSource(org.clusteripam.daemon.perhost.LocalTaskReader.over(docker));
      if (metricsServer.isPresent()) {
        DockerApi d = docker;
        PerHostLoop loop = perHost;
        metricsServer.get().addEndpoint("/v1/lb", new LbEndpoint(engine.queries(), loop)::answer);
        metricsServer.get().addEndpoint("/v1/show", q -> ShowCommand.answer(q, engine, store));
        metricsServer
            .get()
            .addEndpoint(
                "/v1/check", q -> CheckRun.report(engine.queries(), store.describe(), d, c.node()));
        org.clusteripam.daemon.map.MapHttp.install(
            metricsServer.get(),
            engine.queries(),
            engine.config(),
            store.describe(),
            org.clusteripam.daemon.map.DockerContainerDirectory.over(d));
        metricsServer.get().start();
        LOG.info("event=metrics_listening address={}", metricsServer.get().address());
      }
      // The engine itself, not the timed wrapper: reconciliation is not a Docker request, and it
      // needs the engine's conditional release.
      reconciler =
          new Reconciler(
              engine.queries(),
              engine.driver(),
              docker,
              c.node(),
              c.reconcileInterval(),
              c.leakGrace(),
              new ReconcileMetrics(registry),
              Clock.systemUTC());
      reconciler.start();
      perHost.start();
      LOG.info(
          "event=perhost_loop_started interval={} load_balancer={} advertise_addr={} route_protocol={}",
          c.lbInterval(),
          c.loadBalancer().name().toLowerCase(java.util.Locale.ROOT),
          c.routing().advertise().map(Object::toString).orElse("none"),
          c.routing().protocol());
      return new Daemon(store, server, metricsServer, reconciler, perHost, docker, ready, cni);
    } catch (StartupException | RuntimeException e) {
      if (perHost != null) {
        perHost.close();
      }
      if (reconciler != null) {
        reconciler.close();
      }
      cni.ifPresent(CniService::close);
      if (docker != null) {
        docker.close();
      }
      metricsServer.ifPresent(MetricsServer::close);
      if (server != null) {
        server.close();
      }
      store.close();
      throw e instanceof StartupException s ? s : new StartupException("startup failed: " + e, e);
    }
  }

  public PerHostLoop perHost() {
    return perHost;
  }

  /** Time from {@link #start} to the socket listening. */
  public Duration startup() {
    return startup;
  }

  /** The CNI side, when {@code --cni-socket} is not off. */
  public Optional<CniService> cni() {
    return cni;
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  public Optional<java.net.InetSocketAddress> metricsAddress() {
    return metrics.map(MetricsServer::address);
  }

  /** Stops reconciliation, drains and closes the socket, then metrics and the store. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("event=stopping calls_in_flight={}", server.callsInFlight());
    perHost.close();
    reconciler.close();
    cni.ifPresent(CniService::close);
    server.close();
    metrics.ifPresent(MetricsServer::close);
    docker.close();
    store.close();
    LOG.info("event=stopped");
  }
}
