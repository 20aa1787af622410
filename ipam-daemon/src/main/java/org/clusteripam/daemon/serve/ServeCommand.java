package org.clusteripam.daemon.serve;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.clusteripam.core.alloc.FamilyCarving;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.daemon.perhost.LoadBalancerMode;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: runs the IPAM plugin until SIGTERM. Every option has an {@code IPAM_*} environment
 * equivalent.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Serves Docker's remote IPAM protocol on a Unix socket and reconciles with Docker.")
public final class ServeCommand implements Callable<Integer> {
  public static final String DEFAULT_SOCKET = "/run/docker/plugins/cluster-ipam.sock";

  @Spec CommandSpec spec;

  @Mixin public StoreOptions store = new StoreOptions();

  @Option(
      names = "--socket",
      defaultValue = "${env:IPAM_SOCKET:-" + DEFAULT_SOCKET + "}",
      description =
          "Unix socket to serve the plugin on (env IPAM_SOCKET). Default: ${DEFAULT-VALUE}.")
  public Path socket;

  @Option(
      names = "--node-id",
      defaultValue = "${env:IPAM_NODE_ID}",
      description = "This host's id in the cluster (env IPAM_NODE_ID). Default: the host name.")
  public String nodeId;

  @Option(
      names = "--supernet",
      defaultValue = "${env:IPAM_SUPERNET:-10.80.0.0/12}",
      description =
          "IPv4 space carved into network pools (env IPAM_SUPERNET). Default: ${DEFAULT-VALUE}.")
  public String supernet;

  @Option(
      names = "--network-prefix",
      defaultValue = "${env:IPAM_NETWORK_PREFIX:-24}",
      description =
          "Prefix length of a dynamic IPv4 network pool (env IPAM_NETWORK_PREFIX). Default: ${DEFAULT-VALUE}.")
  public int networkPrefix;

  @Option(
      names = "--host-prefix",
      defaultValue = "${env:IPAM_HOST_PREFIX:-26}",
      description =
          "Prefix length of an IPv4 per-host block (env IPAM_HOST_PREFIX). Default: ${DEFAULT-VALUE}.")
  public int hostPrefix;

  @Option(
      names = "--supernet-v6",
      defaultValue = "${env:IPAM_SUPERNET_V6:-fd80:cafe::/48}",
      description =
          "IPv6 space for dynamic IPv6 pools, or 'none' (env IPAM_SUPERNET_V6). Default: ${DEFAULT-VALUE}.")
  public String supernetV6;

  @Option(
      names = "--network-prefix-v6",
      defaultValue = "${env:IPAM_NETWORK_PREFIX_V6:-64}",
      description =
          "Prefix length of a dynamic IPv6 pool (env IPAM_NETWORK_PREFIX_V6). Default: ${DEFAULT-VALUE}.")
  public int networkPrefixV6;

  @Option(
      names = "--host-prefix-v6",
      defaultValue = "${env:IPAM_HOST_PREFIX_V6:-112}",
      description =
          "Prefix length of an IPv6 per-host block (env IPAM_HOST_PREFIX_V6). Default: ${DEFAULT-VALUE}.")
  public int hostPrefixV6;

  @Option(
      names = "--docker-host",
      defaultValue = "${env:IPAM_DOCKER_HOST:-unix:///var/run/docker.sock}",
      description =
          "Docker Engine API used for reconciliation (env IPAM_DOCKER_HOST). Default: ${DEFAULT-VALUE}.")
  public String dockerHost;

  @Option(
      names = "--driver-name",
      defaultValue = "${env:IPAM_DRIVER_NAME:-cluster-ipam}",
      description =
          "IPAM driver name of our networks in Docker; NAME:TAG of a managed plugin matches too (env IPAM_DRIVER_NAME). Default: ${DEFAULT-VALUE}.")
  public String driverName;

  @Option(
      names = "--metrics",
      defaultValue = "${env:IPAM_METRICS:-127.0.0.1:9587}",
      description =
          "HOST:PORT serving Prometheus /metrics, or 'off' (env IPAM_METRICS). Default: ${DEFAULT-VALUE} (loopback only).")
  public String metrics;

  @Option(
      names = "--reconcile-interval",
      defaultValue = "${env:IPAM_RECONCILE_INTERVAL:-PT1M}",
      description =
          "Time between reconciliation passes, ISO-8601 (env IPAM_RECONCILE_INTERVAL). Default: ${DEFAULT-VALUE}.")
  public Duration reconcileInterval;

  @Option(
      names = "--leak-grace",
      defaultValue = "${env:IPAM_LEAK_GRACE:-PT10M}",
      description =
          "How long an allocation must stay missing from Docker before it is released (env IPAM_LEAK_GRACE). Default: ${DEFAULT-VALUE}.")
  public Duration leakGrace;

  @Option(
      names = "--load-balancer",
      defaultValue = "${env:IPAM_LOAD_BALANCER:-auto}",
      description =
          "Per-host mode: program this host's load balancer in kernel IPVS: auto (when the kernel has IPVS), on (failing to is an error), off (compute only) (env IPAM_LOAD_BALANCER). Default: ${DEFAULT-VALUE}.")
  public String loadBalancer;

  @Option(
      names = "--lb-interval",
      defaultValue = "${env:IPAM_LB_INTERVAL:-PT5S}",
      description =
          "Per-host mode: time between passes publishing the service catalog (managers) and updating this host's VIPs and load balancer, ISO-8601 (env IPAM_LB_INTERVAL). Default: ${DEFAULT-VALUE}.")
  public Duration lbInterval;

  @Option(
      names = "--advertise-addr",
      defaultValue = "${env:IPAM_ADVERTISE_ADDR:-}",
      description =
          "Per-host mode: the address of this host that the other hosts route its per-host blocks to (published in the store);"
              + " set, this host also keeps kernel routes to the other hosts' blocks. Unset: no routing (env IPAM_ADVERTISE_ADDR).")
  public String advertiseAddr;

  @Option(
      names = "--dns-listen",
      defaultValue = "${env:IPAM_DNS_LISTEN:-}",
      description =
          "Per-host mode: address(es) where this host answers service names with addresses its own load balancer serves"
              + " (ADDR, ADDR:PORT, comma-separated; port 53 by default), e.g. the network's gateway, given to services as --dns."
              + " Unset: no resolver (env IPAM_DNS_LISTEN).")
  public String dnsListen;

  @Option(
      names = "--route-protocol",
      defaultValue = "${env:IPAM_ROUTE_PROTOCOL:-201}",
      description =
          "Per-host mode: the rtm_protocol number (5..255) of the routes this daemon keeps; it changes and removes only routes"
              + " with this number (env IPAM_ROUTE_PROTOCOL). Default: ${DEFAULT-VALUE}.")
  public int routeProtocol;

  @Option(
      names = "--stale-ip-grace",
      defaultValue = "${env:IPAM_STALE_IP_GRACE:-PT1M}",
      description =
          "A host asking again for an address it holds itself (docker start --ip X after a lost release) gets it once Docker"
              + " shows no use of it and the hold is this old (env IPAM_STALE_IP_GRACE). Default: ${DEFAULT-VALUE}.")
  public Duration staleIpGrace;

  @Option(
      names = "--cooldown",
      defaultValue = "${env:IPAM_COOLDOWN:-PT0S}",
      description =
          "How long a released address is not handed out again (env IPAM_COOLDOWN). Default: ${DEFAULT-VALUE}.")
  public Duration cooldown;

  @Option(
      names = "--replay-window",
      defaultValue = "${env:IPAM_REPLAY_WINDOW:-PT2M}",
      description =
          "After dockerd or swarm re-requests a pool it holds (a restart), its repeated requests for addresses it holds are"
              + " replays for this long (env IPAM_REPLAY_WINDOW). Default: ${DEFAULT-VALUE}.")
  public Duration replayWindow;

  @Option(
      names = "--trace-calls",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:IPAM_TRACE_CALLS:-false}",
      description =
          "Log every plugin call (method, request, response or error, duration) as one INFO line of logger"
              + " org.clusteripam.daemon.trace: true or false (env IPAM_TRACE_CALLS). Default: ${DEFAULT-VALUE}.")
  public String traceCalls;

  @Option(
      names = "--cni-socket",
      defaultValue = "${env:IPAM_CNI_SOCKET:-/run/cluster-ipam/cni.sock}",
      description =
          "Unix socket for the CNI plugin shim, mode 0600, or off (env IPAM_CNI_SOCKET). Default: ${DEFAULT-VALUE}.")
  public String cniSocket;

  @Option(
      names = "--log-level",
      defaultValue = "${env:IPAM_LOG_LEVEL:-info}",
      description =
          "error, warn, info, debug or trace (env IPAM_LOG_LEVEL). Default: ${DEFAULT-VALUE}.")
  public String logLevel;

  @Override
  public Integer call() throws Exception {
    DaemonConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Logging.setLevel(config.logLevel());
    if (config.traceCalls()) {
      org.clusteripam.daemon.trace.CallTraceLog.enableLogger();
    }
    // The hook is in place before anything starts, so a SIGTERM during startup also ends cleanly.
    java.util.concurrent.atomic.AtomicReference<Daemon> running =
        new java.util.concurrent.atomic.AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              synchronized (running) {
                Daemon d = running.getAndSet(null);
                if (d != null) {
                  d.close();
                }
              }
              stopped.countDown();
              // SIGTERM is the normal way to stop: exit 0 (not the JVM's 143) once drained and
              // closed.
              System.err.flush();
              Runtime.getRuntime().halt(0);
            },
            "ipam-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Daemon d = Daemon.start(config);
      synchronized (running) {
        running.set(d);
      }
    } catch (Daemon.StartupException e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      spec.commandLine().getErr().println("cluster-ipam: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
    stopped.await();
    return 0;
  }

  /**
   * The validated configuration; bad values raise {@link IllegalArgumentException} naming the
   * option.
   */
  public DaemonConfig config() {
    HostId node = new HostId(nodeId == null || nodeId.isBlank() ? hostName() : nodeId.strip());
    IpamConfig.Builder b =
        IpamConfig.builder()
            .family(v4().carving())
            .family(v6().carving())
            .cooldown(cooldown)
            .replayWindow(replayWindow);
    if (reconcileInterval.isNegative() || reconcileInterval.isZero()) {
      throw new IllegalArgumentException(
          "--reconcile-interval must be positive, got " + reconcileInterval);
    }
    if (replayWindow.isNegative()) {
      throw new IllegalArgumentException(
          "--replay-window must not be negative, got " + replayWindow);
    }
    if (staleIpGrace.isNegative()) {
      throw new IllegalArgumentException(
          "--stale-ip-grace must not be negative, got " + staleIpGrace);
    }
    if (leakGrace.isNegative()) {
      throw new IllegalArgumentException("--leak-grace must not be negative, got " + leakGrace);
    }
    if (lbInterval.isNegative() || lbInterval.isZero()) {
      throw new IllegalArgumentException("--lb-interval must be positive, got " + lbInterval);
    }
    LoadBalancerMode lb = LoadBalancerMode.parse(loadBalancer);
    Optional<java.net.InetSocketAddress> metricsAddress =
        "off".equalsIgnoreCase(metrics.strip())
            ? Optional.empty()
            : Optional.of(org.clusteripam.daemon.metrics.MetricsServer.parse(metrics.strip()));
    return DaemonConfig.builder(socket, store, node)
        .ipam(b.build())
        .docker(dockerHost, driverName)
        .metrics(metricsAddress)
        .reconcile(reconcileInterval, leakGrace)
        .staleIpGrace(staleIpGrace)
        .loadBalancer(lb, lbInterval)
        .logging(Logging.parseLevel(logLevel), onOff("--trace-calls", traceCalls))
        .routing(
            org.clusteripam.daemon.perhost.PerHostRouting.parse(advertiseAddr, routeProtocol)
                .withDnsListen(dnsListen))
        .cniSocket(
            "off".equalsIgnoreCase(cniSocket.strip())
                ? Optional.empty()
                : Optional.of(Path.of(cniSocket.strip())))
        .build();
  }

  /** The IPv4 carving options: --supernet, --network-prefix, --host-prefix. */
  FamilyOptions v4() {
    return new FamilyOptions(IpFamily.IPV4, "--supernet", supernet, networkPrefix, hostPrefix);
  }

  /** The IPv6 carving options: --supernet-v6 (or 'none'), --network-prefix-v6, --host-prefix-v6. */
  FamilyOptions v6() {
    return new FamilyOptions(
        IpFamily.IPV6, "--supernet-v6", supernetV6, networkPrefixV6, hostPrefixV6);
  }

  /** One family's carving options as given; {@link #carving()} parses them. */
  record FamilyOptions(
      IpFamily family, String supernetOption, String supernet, int networkPrefix, int hostPrefix) {
    FamilyCarving carving() {
      // Only IPv6 may go without dynamic pools: the engine needs an IPv4 supernet.
      boolean none = family == IpFamily.IPV6 && "none".equalsIgnoreCase(supernet.strip());
      Optional<IpPrefix> p =
          none ? Optional.empty() : Optional.of(prefix(supernetOption, supernet));
      if (p.isPresent() && p.get().family() != family) {
        throw new IllegalArgumentException(
            supernetOption + ": " + p.get() + " is not an " + family + " prefix");
      }
      return new FamilyCarving(family, p, networkPrefix, hostPrefix);
    }
  }

  /** true/false (also on/off, yes/no, 1/0); empty (an unset plugin variable) is false. */
  static boolean onOff(String option, String text) {
    String v = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "", "false", "off", "no", "0" -> false;
      case "true", "on", "yes", "1" -> true;
      default ->
          throw new IllegalArgumentException(
              option + " must be true or false, got \"" + text + "\"");
    };
  }

  private static IpPrefix prefix(String option, String text) {
    try {
      return IpPrefix.parse(text.strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  public static String hostName() {
    try {
      String h = InetAddress.getLocalHost().getHostName();
      int dot = h.indexOf('.');
      return dot > 0 ? h.substring(0, dot) : h;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(
          "cannot determine the host name; set --node-id: " + e.getMessage(), e);
    }
  }
}
