package org.clusteripam.daemon.serve;

import ch.qos.logback.classic.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.daemon.perhost.LoadBalancerMode;
import org.clusteripam.daemon.store.StoreOptions;

/** Everything {@code serve} needs, validated. */
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
    org.clusteripam.daemon.perhost.PerHostRouting routing,
    Optional<Path> cniSocket) {
  /** The CNI socket's default path. */
  public static final Path DEFAULT_CNI_SOCKET = Path.of("/run/cluster-ipam/cni.sock");

  /** Without a CNI socket. */
  public DaemonConfig(Path socket, StoreOptions store, HostId node, IpamConfig ipam, String dockerHost, String driverName,
      Optional<InetSocketAddress> metrics, Duration reconcileInterval, Duration leakGrace, Duration staleIpGrace, LoadBalancerMode loadBalancer,
      Duration lbInterval, Level logLevel, boolean traceCalls, org.clusteripam.daemon.perhost.PerHostRouting routing) {
    this(socket, store, node, ipam, dockerHost, driverName, metrics, reconcileInterval, leakGrace, staleIpGrace, loadBalancer, lbInterval, logLevel,
        traceCalls, routing, Optional.empty());
  }
}
