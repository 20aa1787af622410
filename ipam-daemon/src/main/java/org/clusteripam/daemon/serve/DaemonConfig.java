package org.clusteripam.daemon.serve;

import ch.qos.logback.classic.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.daemon.perhost.LoadBalancerMode;
import org.clusteripam.daemon.perhost.PerHostRouting;
import org.clusteripam.daemon.store.StoreOptions;

/** Everything {@code serve} needs, validated. Built with {@link #builder}. */
public record DaemonConfig(
    Path socket,
    StoreOptions store,
    HostId node,
    IpamConfig ipam,
    String dockerHost,
    String driverName,
    Optional<InetSocketAddress> metrics,
    Duration reconcileInterval,
    Duration leakGrace,
    Duration staleIpGrace,
    LoadBalancerMode loadBalancer,
    Duration lbInterval,
    Level logLevel,
    boolean traceCalls,
    PerHostRouting routing,
    Optional<Path> cniSocket) {
  /** The CNI socket's default path. */
  public static final Path DEFAULT_CNI_SOCKET = Path.of("/run/cluster-ipam/cni.sock");

  public DaemonConfig {
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(node, "node");
  }

  /**
   * A configuration for the plugin socket {@code socket} on {@code store} as {@code node}, every
   * other setting at {@code serve}'s default until set.
   */
  public static Builder builder(Path socket, StoreOptions store, HostId node) {
    return new Builder(socket, store, node);
  }

  /** {@code serve}'s defaults; each setter replaces one. */
  public static final class Builder {
    private final Path socket;
    private final StoreOptions store;
    private final HostId node;
    private IpamConfig ipam = IpamConfig.defaults();
    private String dockerHost = "unix:///var/run/docker.sock";
    private String driverName = "cluster-ipam";
    private Optional<InetSocketAddress> metrics =
        Optional.of(new InetSocketAddress("127.0.0.1", 9587));
    private Duration reconcileInterval = Duration.ofMinutes(1);
    private Duration leakGrace = Duration.ofMinutes(10);
    private Duration staleIpGrace = Duration.ofMinutes(1);
    private LoadBalancerMode loadBalancer = LoadBalancerMode.AUTO;
    private Duration lbInterval = Duration.ofSeconds(5);
    private Level logLevel = Level.INFO;
    private boolean traceCalls;
    private PerHostRouting routing = PerHostRouting.off();
    private Optional<Path> cniSocket = Optional.of(DEFAULT_CNI_SOCKET);

    private Builder(Path socket, StoreOptions store, HostId node) {
      this.socket = socket;
      this.store = store;
      this.node = node;
    }

    public Builder ipam(IpamConfig v) {
      ipam = v;
      return this;
    }

    /** Docker's Engine API ({@code unix://…} or {@code tcp://…}) and the driver name it uses. */
    public Builder docker(String host, String driver) {
      dockerHost = host;
      driverName = driver;
      return this;
    }

    /** Where metrics and {@code /v1/*} listen; empty: off. */
    public Builder metrics(Optional<InetSocketAddress> v) {
      metrics = v;
      return this;
    }

    /** Reconciliation every {@code interval}; leaks older than {@code grace} are released. */
    public Builder reconcile(Duration interval, Duration grace) {
      reconcileInterval = interval;
      leakGrace = grace;
      return this;
    }

    public Builder staleIpGrace(Duration v) {
      staleIpGrace = v;
      return this;
    }

    /** Per-host mode's load balancer and the time between the loop's passes. */
    public Builder loadBalancer(LoadBalancerMode mode, Duration interval) {
      loadBalancer = mode;
      lbInterval = interval;
      return this;
    }

    /** The log level and whether Docker's calls are traced. */
    public Builder logging(Level level, boolean trace) {
      logLevel = level;
      traceCalls = trace;
      return this;
    }

    public Builder routing(PerHostRouting v) {
      routing = v;
      return this;
    }

    /** The CNI socket; empty: off. */
    public Builder cniSocket(Optional<Path> v) {
      cniSocket = v;
      return this;
    }

    public DaemonConfig build() {
      return new DaemonConfig(
          socket,
          store,
          node,
          ipam,
          dockerHost,
          driverName,
          metrics,
          reconcileInterval,
          leakGrace,
          staleIpGrace,
          loadBalancer,
          lbInterval,
          logLevel,
          traceCalls,
          routing,
          cniSocket);
    }
  }
}
